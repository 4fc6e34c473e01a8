"""Payer, Medicare date-table and licensure rules: a table of cases per rule."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, timedelta

import pytest

from telept.scheduling.rules.payer import (
    MEDICARE_PT_TELEHEALTH,
    BookingRequest,
    Modality,
    PayerPolicy,
    ViolationCode,
    VisitKind,
    check_booking,
    medicare_pt_telehealth_period,
)

V = ViolationCode
COMMERCIAL = PayerPolicy(telehealth_allowed=True, audio_only_allowed=True)
MEDICARE = PayerPolicy(telehealth_allowed=True, audio_only_allowed=True, is_medicare=True)
NO_TELEHEALTH = PayerPolicy(telehealth_allowed=False, audio_only_allowed=False)
VIDEO_ONLY = PayerPolicy(telehealth_allowed=True, audio_only_allowed=False)
IN_PERSON_FIRST = PayerPolicy(telehealth_allowed=True, audio_only_allowed=True,
                              requires_in_person_initial_eval=True)
REMOTE_ONLY = PayerPolicy(telehealth_allowed=True, audio_only_allowed=True,
                          allowed_modalities=frozenset({Modality.VIDEO, Modality.AUDIO}))
NEUTRAL_DAY = date(2026, 6, 15)


def request(**changes: object) -> BookingRequest:
    base = BookingRequest(
        visit_kind=VisitKind.FOLLOW_UP, modality=Modality.VIDEO, date_of_service=NEUTRAL_DAY,
        provider_licensed_states=frozenset({"NY", "NJ"}), patient_state="NY",
        has_completed_in_person_initial_eval=True,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def codes(policy: PayerPolicy, booking: BookingRequest) -> list[ViolationCode]:
    return [v.code for v in check_booking(policy=policy, request=booking)]


# --- payer coverage settings ------------------------------------------------------------

@pytest.mark.parametrize(
    ("policy", "modality", "kind", "expected"),
    [
        (COMMERCIAL, Modality.VIDEO, VisitKind.FOLLOW_UP, []),
        (COMMERCIAL, Modality.AUDIO, VisitKind.FOLLOW_UP, []),
        (COMMERCIAL, Modality.IN_PERSON, VisitKind.FOLLOW_UP, []),
        (NO_TELEHEALTH, Modality.VIDEO, VisitKind.FOLLOW_UP, [V.TELEHEALTH_NOT_COVERED]),
        (NO_TELEHEALTH, Modality.AUDIO, VisitKind.RE_EVAL, [V.TELEHEALTH_NOT_COVERED]),
        (NO_TELEHEALTH, Modality.VIDEO, VisitKind.GROUP_CLASS, [V.TELEHEALTH_NOT_COVERED]),
        (NO_TELEHEALTH, Modality.IN_PERSON, VisitKind.FOLLOW_UP, []),
        (VIDEO_ONLY, Modality.AUDIO, VisitKind.FOLLOW_UP, [V.AUDIO_ONLY_NOT_COVERED]),
        (VIDEO_ONLY, Modality.VIDEO, VisitKind.FOLLOW_UP, []),
        (REMOTE_ONLY, Modality.IN_PERSON, VisitKind.FOLLOW_UP, [V.MODALITY_NOT_COVERED]),
        (REMOTE_ONLY, Modality.VIDEO, VisitKind.INITIAL_EVAL, []),
        # RTM is billed under its own codes, not as telehealth: coverage settings do not apply.
        (NO_TELEHEALTH, Modality.VIDEO, VisitKind.RTM_CHECKIN, []),
        (VIDEO_ONLY, Modality.AUDIO, VisitKind.RTM_CHECKIN, []),
    ],
)
def test_it_holds_bookings_to_the_payers_coverage(policy: PayerPolicy, modality: Modality,
                                                  kind: VisitKind,
                                                  expected: list[ViolationCode]) -> None:
    assert codes(policy, request(modality=modality, visit_kind=kind)) == expected


def test_it_suggests_only_modalities_the_payer_covers() -> None:
    [violation] = check_booking(policy=NO_TELEHEALTH, request=request())
    assert violation.message == (
        "This payer does not cover telehealth visits. Book an in-person visit at a location "
        "instead."
    )
    [violation] = check_booking(policy=VIDEO_ONLY, request=request(modality=Modality.AUDIO))
    assert "Book an in-person visit at a location or a video visit instead." in (
        violation.message)


def test_it_says_to_check_coverage_when_nothing_is_covered() -> None:
    nothing = PayerPolicy(telehealth_allowed=False, audio_only_allowed=False,
                          allowed_modalities=frozenset())
    [violation] = check_booking(policy=nothing, request=request(modality=Modality.IN_PERSON))
    assert violation.code is V.MODALITY_NOT_COVERED
    assert "self-pay" in violation.message


# --- in-person initial evaluation first -------------------------------------------------

@pytest.mark.parametrize(
    ("kind", "modality", "has_in_person_eval", "expected"),
    [
        (VisitKind.INITIAL_EVAL, Modality.VIDEO, False, [V.IN_PERSON_INITIAL_EVAL_REQUIRED]),
        (VisitKind.INITIAL_EVAL, Modality.AUDIO, False, [V.IN_PERSON_INITIAL_EVAL_REQUIRED]),
        # A new episode's evaluation must be in person again, whatever came before.
        (VisitKind.INITIAL_EVAL, Modality.VIDEO, True, [V.IN_PERSON_INITIAL_EVAL_REQUIRED]),
        (VisitKind.INITIAL_EVAL, Modality.IN_PERSON, False, []),
        (VisitKind.FOLLOW_UP, Modality.VIDEO, False, [V.IN_PERSON_INITIAL_EVAL_REQUIRED]),
        (VisitKind.FOLLOW_UP, Modality.VIDEO, True, []),
        (VisitKind.RE_EVAL, Modality.VIDEO, False, [V.IN_PERSON_INITIAL_EVAL_REQUIRED]),
        (VisitKind.RE_EVAL, Modality.VIDEO, True, []),
        (VisitKind.GROUP_CLASS, Modality.VIDEO, False, [V.IN_PERSON_INITIAL_EVAL_REQUIRED]),
        (VisitKind.RTM_CHECKIN, Modality.VIDEO, False, [V.IN_PERSON_INITIAL_EVAL_REQUIRED]),
        (VisitKind.RTM_CHECKIN, Modality.AUDIO, True, []),
        (VisitKind.FOLLOW_UP, Modality.IN_PERSON, False, []),
    ],
)
def test_it_requires_the_in_person_evaluation_first_when_the_payer_does(
        kind: VisitKind, modality: Modality, has_in_person_eval: bool,
        expected: list[ViolationCode]) -> None:
    booking = request(visit_kind=kind, modality=modality,
                      has_completed_in_person_initial_eval=has_in_person_eval)
    assert codes(IN_PERSON_FIRST, booking) == expected
    assert codes(COMMERCIAL, booking) == []


def test_it_tells_staff_to_book_the_evaluation_in_person() -> None:
    [violation] = check_booking(policy=IN_PERSON_FIRST,
                                request=request(visit_kind=VisitKind.INITIAL_EVAL))
    assert violation.message == (
        "This payer requires the initial evaluation in person. Book an in-person evaluation "
        "at a location first; video follow-ups can come after."
    )


# --- Medicare PT telehealth by date of service ------------------------------------------

@pytest.mark.parametrize(
    ("day", "eligible"),
    [
        (date(2019, 12, 31), False),
        (date(2020, 2, 29), False),  # the day before the PHE waivers took effect
        (date(2020, 3, 1), True),
        (date(2024, 12, 31), True),  # CAA 2023 end
        (date(2025, 1, 1), True),  # American Relief Act 2025
        (date(2025, 3, 31), True),
        (date(2025, 4, 1), True),
        (date(2025, 9, 30), True),
        (date(2025, 10, 1), True),  # shutdown lapse, restored retroactively
        (date(2025, 11, 11), True),  # last day of that lapse
        (date(2025, 11, 12), True),  # continuing resolution signed
        (date(2026, 1, 30), True),
        (date(2026, 1, 31), True),  # second lapse, restored retroactively by the CAA 2026
        (date(2026, 2, 2), True),
        (date(2026, 2, 3), True),  # CAA 2026 signed
        (date(2027, 12, 31), True),  # last covered day
        (date(2028, 1, 1), None),  # not known yet
        (date(2030, 6, 1), None),
    ],
)
def test_it_reads_medicare_pt_telehealth_from_the_date_table(day: date,
                                                             eligible: bool | None) -> None:
    period = medicare_pt_telehealth_period(date_of_service=day)
    assert (None if period is None else period.eligible) is eligible


@pytest.mark.parametrize("modality", [Modality.VIDEO, Modality.AUDIO])
@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2020, 2, 29), [V.MEDICARE_PT_TELEHEALTH_LAPSED]),
        (date(2020, 3, 1), []),
        (date(2025, 10, 1), []),
        (date(2026, 2, 1), []),
        (date(2027, 12, 31), []),
        (date(2028, 1, 1), [V.MEDICARE_PT_TELEHEALTH_UNKNOWN]),
    ],
)
def test_it_checks_medicare_telehealth_and_audio_only_on_the_date_of_service(
        modality: Modality, day: date, expected: list[ViolationCode]) -> None:
    booking = request(modality=modality, date_of_service=day)
    assert codes(MEDICARE, booking) == expected
    assert codes(COMMERCIAL, booking) == []  # the table is Medicare's only


@pytest.mark.parametrize("day", [date(2020, 2, 29), date(2028, 1, 1)])
def test_medicare_dates_do_not_limit_in_person_visits_or_rtm(day: date) -> None:
    assert codes(MEDICARE, request(modality=Modality.IN_PERSON, date_of_service=day)) == []
    assert codes(MEDICARE, request(visit_kind=VisitKind.RTM_CHECKIN,
                                   date_of_service=day)) == []


def test_it_names_the_last_known_day_when_medicare_coverage_is_unknown() -> None:
    [violation] = check_booking(policy=MEDICARE,
                                request=request(date_of_service=date(2028, 3, 1)))
    assert "2027-12-31" in violation.message
    assert "Book an in-person visit" in violation.message


def test_it_gives_one_reason_when_the_payer_already_refuses_telehealth() -> None:
    medicare_no_audio = replace(MEDICARE, audio_only_allowed=False)
    booking = request(modality=Modality.AUDIO, date_of_service=date(2028, 1, 1))
    assert codes(medicare_no_audio, booking) == [V.AUDIO_ONLY_NOT_COVERED]


def test_the_medicare_table_is_sorted_and_leaves_no_gap() -> None:
    for row in MEDICARE_PT_TELEHEALTH:
        assert row.start <= row.end
        assert row.source
    for before, after in itertools.pairwise(MEDICARE_PT_TELEHEALTH):
        assert after.start == before.end + timedelta(days=1)
    assert MEDICARE_PT_TELEHEALTH[-1].end == date(2027, 12, 31)


def test_the_restored_lapses_are_noted_in_the_table() -> None:
    noted = {row.start: row for row in MEDICARE_PT_TELEHEALTH if "retroactively" in row.note}
    assert set(noted) == {date(2025, 10, 1), date(2026, 1, 31)}
    assert noted[date(2025, 10, 1)].end == date(2025, 11, 11)
    assert noted[date(2026, 1, 31)].end == date(2026, 2, 2)


# --- licensure --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("licensed", "patient_state", "modality", "expected"),
    [
        ({"NY"}, "NY", Modality.VIDEO, []),
        ({"NY"}, "CT", Modality.VIDEO, [V.PROVIDER_NOT_LICENSED_IN_STATE]),
        ({"NY"}, "CT", Modality.IN_PERSON, [V.PROVIDER_NOT_LICENSED_IN_STATE]),
        ({"ny", " nj"}, "nj ", Modality.AUDIO, []),  # codes are normalised
        (set(), "NY", Modality.VIDEO, [V.PROVIDER_NOT_LICENSED_IN_STATE]),
    ],
)
def test_the_provider_must_be_licensed_where_the_patient_is(
        licensed: set[str], patient_state: str, modality: Modality,
        expected: list[ViolationCode]) -> None:
    booking = request(provider_licensed_states=frozenset(licensed), patient_state=patient_state,
                      modality=modality)
    assert codes(COMMERCIAL, booking) == expected


def test_the_licensure_message_names_the_state_and_the_way_out() -> None:
    [violation] = check_booking(policy=COMMERCIAL, request=request(patient_state="CT"))
    assert violation.message.startswith(
        "The provider is not licensed in Connecticut (CT), where the patient will be")
    assert "Book a provider licensed in CT" in violation.message


def test_it_refuses_a_state_code_that_does_not_exist() -> None:
    with pytest.raises(ValueError, match="not a US state"):
        request(patient_state="XX")


# --- all rules together -----------------------------------------------------------------

def test_it_reports_every_independent_problem_in_a_fixed_order() -> None:
    strict_medicare = replace(MEDICARE, requires_in_person_initial_eval=True)
    booking = request(visit_kind=VisitKind.INITIAL_EVAL, date_of_service=date(2028, 2, 1),
                      patient_state="PA")
    assert codes(strict_medicare, booking) == [
        V.MEDICARE_PT_TELEHEALTH_UNKNOWN, V.IN_PERSON_INITIAL_EVAL_REQUIRED,
        V.PROVIDER_NOT_LICENSED_IN_STATE,
    ]


def test_every_violation_says_why_and_what_to_book_instead() -> None:
    """Every combination of settings and booking: each message is a sentence with a way out,
    and no code is reported twice."""
    flags = (False, True)
    modality_sets = [frozenset(Modality), frozenset({Modality.IN_PERSON}),
                     frozenset({Modality.VIDEO, Modality.AUDIO}), frozenset()]
    days = [date(2020, 1, 1), NEUTRAL_DAY, date(2028, 1, 1)]
    seen = set()
    for tele, audio, first, medicare, allowed in itertools.product(
            flags, flags, flags, flags, modality_sets):
        policy = PayerPolicy(telehealth_allowed=tele, audio_only_allowed=audio,
                             allowed_modalities=allowed, requires_in_person_initial_eval=first,
                             is_medicare=medicare)
        for kind, modality, day, had_eval, state in itertools.product(
                VisitKind, Modality, days, flags, ("NY", "CT")):
            violations = check_booking(policy=policy, request=request(
                visit_kind=kind, modality=modality, date_of_service=day,
                has_completed_in_person_initial_eval=had_eval, patient_state=state))
            found = [v.code for v in violations]
            assert len(found) == len(set(found))
            for v in violations:
                seen.add(v.code)
                assert v.message.endswith(".")
                assert "Book" in v.message or "book" in v.message, v.message
    assert seen == set(ViolationCode)
