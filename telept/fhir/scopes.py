"""SMART on FHIR scopes: parsing, what a set of scopes permits, and narrowing (pure; no Django).

    permits(scopes, resource_type, interaction="read" | "search") -> bool
    narrow(requested, allowed, *, context=...) -> frozenset[str]

Resource scopes are `<context>/<type>.<permissions>`:
- SMART v2 (App Launch 2.x): `patient/Observation.rs`, `user/*.rs`, `system/*.rs`; the
  permissions are letters of `cruds` in that order (create, read, update, delete, search).
- SMART v1: `patient/*.read`, `user/Patient.write`, `system/*.*` (`read` = `rs`,
  `write` = `cud`, `*` = `cruds`).

What TelePT grants (`narrow`) is always a v2 scope, read-only (`r`, `s`): the FHIR API has
no writes. Granular v2 scopes with a query (`patient/Observation.rs?category=survey`) are
neither granted nor honoured: the API cannot filter a token's rows by them, so a token
holding only such a scope reads nothing (rather than more than it was meant to). The SMART
spec lets a server grant less than asked; the token response's `scope` says what was.

The context (patient/user/system) never widens anything: rows always come from the actor's
scoped selectors (a patient's token reaches only that patient's record whatever it says).
It decides who may hold the scope: `patient/` and `user/` come from a person's
authorisation (App Launch), `system/` only from a backend client (Backend Services).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

CONTEXTS = ("patient", "user", "system")
LETTERS = "cruds"
READ_LETTERS = frozenset("rs")
_V1 = {"read": "rs", "write": "cud", "*": "cruds"}
_INTERACTION = {"read": "r", "search": "s"}
# Scopes that are not about resources, and that we understand.
LAUNCH_SCOPES = frozenset({"launch", "launch/patient", "openid", "fhirUser", "profile",
                           "offline_access", "online_access"})
_TYPE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class ResourceScope:
    """One parsed resource scope. `resource_type` is a FHIR type name or `*`."""

    context: str
    resource_type: str
    letters: frozenset[str]
    query: str = ""  # a v2 granular filter (`category=...`); not supported, see the module

    def text(self) -> str:
        """The v2 spelling (letters in `cruds` order)."""
        perms = "".join(c for c in LETTERS if c in self.letters)
        suffix = f"?{self.query}" if self.query else ""
        return f"{self.context}/{self.resource_type}.{perms}{suffix}"

    def covers(self, resource_type: str, letter: str) -> bool:
        return (not self.query and letter in self.letters
                and self.resource_type in ("*", resource_type))


def parse(scope: str) -> ResourceScope | None:
    """A resource scope, or None for anything else (launch scopes, junk)."""
    context, slash, rest = scope.strip().partition("/")
    if not slash or context not in CONTEXTS:
        return None
    rtype, dot, perms = rest.partition(".")
    if not dot or not rtype:
        return None
    if rtype != "*" and (not set(rtype) <= _TYPE_CHARS or not rtype[0].isupper()
                         or len(rtype) > 64):
        return None
    perms, _, query = perms.partition("?")
    perms = _V1.get(perms, perms)
    if not perms or not set(perms) <= set(LETTERS) or len(set(perms)) != len(perms):
        return None
    if "".join(c for c in LETTERS if c in perms) != perms:
        return None  # v2 letters come in the order c, r, u, d, s
    return ResourceScope(context=context, resource_type=rtype, letters=frozenset(perms),
                         query=query)


def split(scope_text: str) -> list[str]:
    """A space-separated OAuth `scope` value as a list (order kept, duplicates dropped)."""
    seen: dict[str, None] = {}
    for item in (scope_text or "").split():
        seen.setdefault(item, None)
    return list(seen)


def permits(scopes: Iterable[str], resource_type: str, interaction: str = "read") -> bool:
    """Whether any of `scopes` allows `interaction` ("read" or "search") on the type."""
    letter = _INTERACTION.get(interaction)
    if letter is None:
        return False
    for scope in scopes:
        parsed = parse(scope)
        if parsed is not None and parsed.covers(resource_type, letter):
            return True
    return False


def readable_types(scopes: Iterable[str], known_types: Iterable[str]) -> list[str]:
    """Of `known_types`, those the scopes let the holder read (in the given order)."""
    scopes = list(scopes)
    return [t for t in known_types if permits(scopes, t, "read")]


def _meet(a: ResourceScope, b: ResourceScope) -> ResourceScope | None:
    """What both scopes allow, as one scope (None when nothing)."""
    if a.query or b.query or a.context != b.context:
        return None
    if a.resource_type == "*":
        rtype = b.resource_type
    elif b.resource_type in ("*", a.resource_type):
        rtype = a.resource_type
    else:
        return None
    letters = a.letters & b.letters & READ_LETTERS
    if not letters:
        return None
    return ResourceScope(context=a.context, resource_type=rtype, letters=letters)


def narrow(requested: Iterable[str], allowed: Iterable[str], *,
           contexts: Iterable[str] = CONTEXTS) -> frozenset[str]:
    """The resource scopes to grant: each requested scope cut down to what `allowed` covers,
    read-only, in one of `contexts`. Nothing outside both sets is ever permitted by the
    result (a hypothesis property in tests/test_scopes.py). Launch scopes are not resource
    scopes and are not returned; see `launch_scopes`."""
    wanted = [s for s in (parse(x) for x in requested) if s and s.context in set(contexts)]
    limits = [s for s in (parse(x) for x in allowed) if s]
    granted: set[ResourceScope] = set()
    for want in wanted:
        for limit in limits:
            meet = _meet(want, limit)
            if meet is not None:
                granted.add(meet)
    return frozenset(s.text() for s in _drop_covered(granted))


def _drop_covered(scopes: set[ResourceScope]) -> set[ResourceScope]:
    """Leave out a scope another one in the set already covers (`user/Patient.r` beside
    `user/*.rs`), so the granted scope string stays short."""
    kept = set()
    for scope in scopes:
        if not any(other != scope and other.context == scope.context
                   and other.resource_type in ("*", scope.resource_type)
                   and scope.letters <= other.letters
                   and not (other.resource_type == scope.resource_type
                            and other.letters == scope.letters)
                   for other in scopes):
            kept.add(scope)
    return kept


def launch_scopes(requested: Iterable[str]) -> frozenset[str]:
    """The non-resource scopes of a request that we support and grant as asked."""
    return frozenset(s for s in requested if s in LAUNCH_SCOPES)


def scope_text(scopes: Iterable[str]) -> str:
    """A stable space-separated spelling (sorted) for the token response and storage."""
    return " ".join(sorted(set(scopes)))


def describe(scope: str) -> str:
    """A sentence for the consent page: what granting this scope lets the app do."""
    parsed = parse(scope)
    if parsed is None:
        return {
            "launch/patient": "Know which patient record you chose",
            "openid": "Know who you are (your TelePT account)",
            "fhirUser": "Know who you are (your TelePT account)",
            "offline_access": "Keep reading while you are away, until you revoke it",
            "online_access": "Keep reading while you are signed in",
        }.get(scope, scope)
    what = "your whole record" if parsed.resource_type == "*" else \
        f"your {_plural(parsed.resource_type)}"
    if parsed.context != "patient":
        what = "every record you can see" if parsed.resource_type == "*" \
            else f"the {_plural(parsed.resource_type)} you can see"
    verbs = []
    if "r" in parsed.letters:
        verbs.append("read")
    if "s" in parsed.letters:
        verbs.append("search")
    return f"{' and '.join(verbs).capitalize()} {what}" if verbs else scope


_LABELS = {
    "Observation": "measurements and questionnaire scores",
    "QuestionnaireResponse": "questionnaire answers",
    "Condition": "diagnoses",
    "Encounter": "visits",
    "Appointment": "appointments",
    "CarePlan": "care plans and home exercise programs",
    "DocumentReference": "signed notes",
    "Coverage": "insurance coverage",
    "Patient": "demographics",
    "Consent": "consents",
    "Goal": "goals",
}


def _plural(resource_type: str) -> str:
    return _LABELS.get(resource_type, f"{resource_type} records")
