"""Payer coverage and licensure rules for a booking (pure: no Django, no I/O).

`check_booking` answers "may this visit be booked like this?" with a list of violations. Each
has a stable code (part of the API contract) and a sentence for front-desk staff that says
why, and what to book instead. An empty list means no rule here objects.

Which rules apply to which visit kind and modality:

- The payer's coverage settings (``telehealth_allowed``, ``audio_only_allowed``,
  ``allowed_modalities``) apply to every visit kind except ``rtm_checkin``, and the Medicare
  PT telehealth date table to video and audio visits of those kinds. Remote therapeutic
  monitoring is billed under its own codes (98975-98981), not as a Medicare telehealth
  service (RULES §3), so neither the telehealth waivers nor telehealth coverage govern it.
- An in-person-initial-evaluation requirement (a per-payer setting; no payer text was found
  for it, RULES §1.4) blocks every remote visit, RTM included, until the patient has a
  completed in-person initial evaluation.
- Licensure applies to every visit: the provider must be licensed (or hold a compact
  privilege; the caller passes those states too) in the state where the patient is during
  the visit. For an in-person visit that is the location's state.

Not modelled yet: Medicare's per-code telehealth list (RULES §1.1; 97150 group therapy
is UNVERIFIED there), so ``group_class`` gets the same checks as any other visit.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from telept.lib.states import US_STATES


class VisitKind(StrEnum):
    INITIAL_EVAL = "initial_eval"
    RE_EVAL = "re_eval"
    FOLLOW_UP = "follow_up"
    GROUP_CLASS = "group_class"
    RTM_CHECKIN = "rtm_checkin"


class Modality(StrEnum):
    VIDEO = "video"
    AUDIO = "audio"
    IN_PERSON = "in_person"

    @property
    def is_remote(self) -> bool:
        return self is not Modality.IN_PERSON


class ViolationCode(StrEnum):
    """Stable codes: rename one only with a changelog note (the API exposes them)."""

    TELEHEALTH_NOT_COVERED = "telehealth_not_covered"
    AUDIO_ONLY_NOT_COVERED = "audio_only_not_covered"
    MODALITY_NOT_COVERED = "modality_not_covered"
    IN_PERSON_INITIAL_EVAL_REQUIRED = "in_person_initial_eval_required"
    MEDICARE_PT_TELEHEALTH_LAPSED = "medicare_pt_telehealth_lapsed"
    MEDICARE_PT_TELEHEALTH_UNKNOWN = "medicare_pt_telehealth_unknown"
    PROVIDER_NOT_LICENSED_IN_STATE = "provider_not_licensed_in_state"


ALL_MODALITIES: frozenset[Modality] = frozenset(Modality)


def _state(code: str) -> str:
    cleaned = code.strip().upper()
    if cleaned not in US_STATES:
        raise ValueError(f"{code!r} is not a US state or territory code (USPS, e.g. 'NY').")
    return cleaned


@dataclass(frozen=True, kw_only=True)
class PayerPolicy:
    """What one payer covers, as the practice configured it.

    ``allowed_modalities`` lists the modalities the payer pays a visit for. The two switches
    are the coarse settings most payer pages state; both are checked.
    """

    telehealth_allowed: bool
    audio_only_allowed: bool
    allowed_modalities: frozenset[Modality] = ALL_MODALITIES
    requires_in_person_initial_eval: bool = False
    is_medicare: bool = False


@dataclass(frozen=True, kw_only=True)
class BookingRequest:
    """The visit about to be booked.

    ``date_of_service`` is the visit's local date in the practice zone. ``patient_state`` is
    where the patient will physically be during this visit, not their home address.
    """

    visit_kind: VisitKind
    modality: Modality
    date_of_service: date
    provider_licensed_states: frozenset[str]
    patient_state: str
    has_completed_in_person_initial_eval: bool

    def __post_init__(self) -> None:
        # Normalised ('ny ' -> 'NY'), so a typo fails loudly rather than as "not licensed".
        object.__setattr__(self, "patient_state", _state(self.patient_state))
        object.__setattr__(
            self,
            "provider_licensed_states",
            frozenset(_state(s) for s in self.provider_licensed_states),
        )


def _(text: str) -> str:
    """Marks an English sentence as a msgid (xgettext reads `_("...")`); no Django here."""
    return text


Sentence = tuple[str, dict[str, str]]
"""An English template with ``%(name)s`` holes, and the values for them."""


@dataclass(frozen=True, kw_only=True)
class Violation:
    """``message`` is the English sentence; ``sentences`` the same words as templates and
    values, so a caller can say it in the reader's language (the booking service does:
    a patient who reads Spanish is refused in Spanish, with the same code)."""

    code: ViolationCode
    message: str
    sentences: tuple[Sentence, ...] = ()


def _violation(code: ViolationCode, *sentences: Sentence) -> Violation:
    return Violation(code=code, message=" ".join(text % values for text, values in sentences),
                     sentences=sentences)


# --- Medicare: is a PT an eligible telehealth practitioner on the date of service? ---------


@dataclass(frozen=True)
class CoveragePeriod:
    """One row of the Medicare PT telehealth table: ``start`` .. ``end`` inclusive."""

    start: date
    end: date
    eligible: bool
    source: str
    note: str = ""


MEDICARE_PT_TELEHEALTH: tuple[CoveragePeriod, ...] = (
    CoveragePeriod(
        date.min, date(2020, 2, 29), False,
        "RULES §1.3 starts PT eligibility at 2020-03-01 (APTA 2020-04-30); before that, "
        "PTs were not Medicare telehealth practitioners under SSA §1834(m)",
        "Before the COVID-19 PHE waivers, PTs could not bill Medicare for telehealth.",
    ),
    CoveragePeriod(
        date(2020, 3, 1), date(2024, 12, 31), True,
        "APTA 2020-04-30 (PHE waiver); CAA 2023 extension to 2024-12-31 (CCHP)",
    ),
    CoveragePeriod(
        date(2025, 1, 1), date(2025, 3, 31), True,
        "American Relief Act, 2025 (pyapc.com cheat sheet)",
    ),
    CoveragePeriod(
        date(2025, 4, 1), date(2025, 9, 30), True,
        "Full-year continuing resolution (prombs.com; exact instrument UNVERIFIED in RULES)",
    ),
    CoveragePeriod(
        date(2025, 10, 1), date(2025, 11, 11), True,
        "Continuing resolution signed 2025-11-12, retroactive to 2025-10-01 (APTA 2025-11-17)",
        "Lapsed at the time (government shutdown); restored retroactively. Claims held during "
        "the lapse may be released.",
    ),
    CoveragePeriod(
        date(2025, 11, 12), date(2026, 1, 30), True,
        "Continuing resolution signed 2025-11-12 (APTA 2025-11-17)",
    ),
    CoveragePeriod(
        date(2026, 1, 31), date(2026, 2, 2), True,
        "Consolidated Appropriations Act, 2026 (H.R. 7148), signed 2026-02-03, retroactive "
        "(McGuireWoods 2026-02; natlawreview)",
        "Lapsed at the time (partial shutdown); restored retroactively by the CAA 2026.",
    ),
    CoveragePeriod(
        date(2026, 2, 3), date(2027, 12, 31), True,
        "Consolidated Appropriations Act, 2026 (H.R. 7148): PT/OT/SLP eligible, home as "
        "originating site, audio-only allowed, through 2027-12-31 (McGuireWoods; bhnet; "
        "gillcompliance)",
    ),
)
"""Is a PT an eligible Medicare telehealth practitioner (video and audio-only alike) on a date?

Data, not code: when Congress acts, add or edit a row (RULES §1.3). The table shows the law
as it stands now, after the retroactive restorations, so a date that lapsed at the time but
was restored later reads eligible (see each row's ``note``). A date no row covers
(after 2027-12-31) is unknown, not "not eligible". Rows are sorted, contiguous and
non-overlapping; a test holds the table to that.
"""

_PERIOD_STARTS: tuple[date, ...] = tuple(p.start for p in MEDICARE_PT_TELEHEALTH)


def medicare_pt_telehealth_period(*, date_of_service: date) -> CoveragePeriod | None:
    """The table row covering the date, or None when the law for that date is not known."""
    i = bisect.bisect_right(_PERIOD_STARTS, date_of_service) - 1
    if i >= 0 and date_of_service <= MEDICARE_PT_TELEHEALTH[i].end:
        return MEDICARE_PT_TELEHEALTH[i]
    return None


# --- the rules -----------------------------------------------------------------------------

# Whole sentences, not phrases pieced together, so that each translates as a whole.
_NOT_COVERED = {
    Modality.VIDEO: _("This payer does not cover a video visit."),
    Modality.AUDIO: _("This payer does not cover an audio-only (phone) visit."),
    Modality.IN_PERSON: _("This payer does not cover an in-person visit at a location."),
}
_INSTEAD: dict[tuple[Modality, ...], str] = {
    (): _("Check the patient's coverage, or book the visit as self-pay."),
    (Modality.IN_PERSON,): _("Book an in-person visit at a location instead."),
    (Modality.VIDEO,): _("Book a video visit instead."),
    (Modality.AUDIO,): _("Book an audio-only (phone) visit instead."),
    (Modality.IN_PERSON, Modality.VIDEO): _(
        "Book an in-person visit at a location or a video visit instead."),
    (Modality.IN_PERSON, Modality.AUDIO): _(
        "Book an in-person visit at a location or an audio-only (phone) visit instead."),
    (Modality.VIDEO, Modality.AUDIO): _(
        "Book a video visit or an audio-only (phone) visit instead."),
}


def _instead(options: list[Modality]) -> Sentence:
    return _INSTEAD[tuple(options)], {}


def _coverage_violation(*, policy: PayerPolicy, request: BookingRequest) -> Violation | None:
    """The payer's own settings; at most one violation, the most specific one."""
    modality = request.modality
    if request.visit_kind is VisitKind.RTM_CHECKIN:
        return None
    alternatives = [
        m for m in (Modality.IN_PERSON, Modality.VIDEO, Modality.AUDIO)
        if m is not modality
        and m in policy.allowed_modalities
        and (not m.is_remote or policy.telehealth_allowed)
        and (m is not Modality.AUDIO or policy.audio_only_allowed)
    ]
    if modality.is_remote and not policy.telehealth_allowed:
        code = ViolationCode.TELEHEALTH_NOT_COVERED
        why = _("This payer does not cover telehealth visits.")
    elif modality is Modality.AUDIO and not policy.audio_only_allowed:
        code = ViolationCode.AUDIO_ONLY_NOT_COVERED
        why = _("This payer does not cover audio-only visits.")
    elif modality not in policy.allowed_modalities:
        code = ViolationCode.MODALITY_NOT_COVERED
        why = _NOT_COVERED[modality]
    else:
        return None
    return _violation(code, (why, {}), _instead(alternatives))


def _medicare_violation(*, policy: PayerPolicy, request: BookingRequest) -> Violation | None:
    if not (policy.is_medicare and request.modality.is_remote):
        return None
    if request.visit_kind is VisitKind.RTM_CHECKIN:
        return None
    day = request.date_of_service.isoformat()
    audio = request.modality is Modality.AUDIO
    period = medicare_pt_telehealth_period(date_of_service=request.date_of_service)
    if period is None:
        last = MEDICARE_PT_TELEHEALTH[-1].end.isoformat()
        return _violation(ViolationCode.MEDICARE_PT_TELEHEALTH_UNKNOWN, (
            _("Medicare pays physical therapists for audio-only visits only through "
              "%(last)s under current law; coverage on %(day)s is not known yet. Book an "
              "in-person visit at a location, or a remote visit on or before %(last)s.")
            if audio else
            _("Medicare pays physical therapists for telehealth visits only through "
              "%(last)s under current law; coverage on %(day)s is not known yet. Book an "
              "in-person visit at a location, or a remote visit on or before %(last)s."),
            {"last": last, "day": day}))
    if not period.eligible:
        return _violation(ViolationCode.MEDICARE_PT_TELEHEALTH_LAPSED, (
            _("Medicare does not pay physical therapists for audio-only visits on %(day)s: "
              "the telehealth flexibilities for therapists are not in force that day. Book an "
              "in-person visit at a location instead.")
            if audio else
            _("Medicare does not pay physical therapists for telehealth visits on %(day)s: "
              "the telehealth flexibilities for therapists are not in force that day. Book an "
              "in-person visit at a location instead."),
            {"day": day}))
    return None


def _initial_eval_violation(*, policy: PayerPolicy,
                            request: BookingRequest) -> Violation | None:
    if not (policy.requires_in_person_initial_eval and request.modality.is_remote):
        return None
    if request.visit_kind is VisitKind.INITIAL_EVAL:
        message = _(
            "This payer requires the initial evaluation in person. Book an in-person "
            "evaluation at a location first; video follow-ups can come after."
        )
    elif not request.has_completed_in_person_initial_eval:
        message = _(
            "This payer covers remote visits only after an in-person initial evaluation, and "
            "this patient has not completed one. Book an in-person evaluation at a location "
            "first; this visit can be remote after it."
        )
    else:
        return None
    return _violation(ViolationCode.IN_PERSON_INITIAL_EVAL_REQUIRED, (message, {}))


def _licensure_violation(*, request: BookingRequest) -> Violation | None:
    state = request.patient_state
    if state in request.provider_licensed_states:
        return None
    values = {"named": f"{US_STATES[state]} ({state})", "state": state}
    if request.modality.is_remote:
        message = _(
            "The provider is not licensed in %(named)s, where the patient will be during this "
            "visit. Book a provider licensed in %(state)s, or hold the visit on a day the "
            "patient is in a state where this provider is licensed."
        )
    else:
        message = _(
            "The provider is not licensed in %(named)s, where this in-person visit takes "
            "place. Book a provider licensed in %(state)s, or a location in a state where "
            "this provider is licensed."
        )
    return _violation(ViolationCode.PROVIDER_NOT_LICENSED_IN_STATE, (message, values))


def check_booking(*, policy: PayerPolicy, request: BookingRequest) -> list[Violation]:
    """Every rule that objects to this booking, in a fixed order (coverage, Medicare,
    in-person-first, licensure); empty when none does.

    Medicare's date table is consulted only when the payer's own switches allow the remote
    visit, so staff see one reason per problem rather than two that say the same.
    """
    coverage = _coverage_violation(policy=policy, request=request)
    found = [
        coverage,
        None if coverage else _medicare_violation(policy=policy, request=request),
        _initial_eval_violation(policy=policy, request=request),
        _licensure_violation(request=request),
    ]
    return [v for v in found if v is not None]
