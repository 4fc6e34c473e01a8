"""Walk every route of the JSON API (/api/v1) with every role of the cast, on real records
(Issue 16 item 24; the pages have the same walk in test_permission_matrix.py).

The routes are read from the ninja API's own URL patterns (`api.urls`), so a route added to
any router without an entry in API_ACCESS fails `test_every_api_route_is_declared`, and an
id a route takes (in its path, its query or its body) must be one the ID table knows.

For every route, each role calls it with a bearer token of its own, on its own records (the
acting patient's; for staff, a patient of their practice; for the outsiders, Lakeside's):
- anonymous (no token, or a made-up one): 401 {"code": "unauthenticated", "message"};
- a role the route does not declare: 403 or 404 with a JSON {"code", "message"} body;
- a role it declares: the route's 2xx, and the body names the record acted on (its id);
  a listing shows the role's own record and none of the strangers' below.
Then each role that got in calls the route again with one id at a time pointing at a record
that is not its own:
- a patient: the other patient's record of the same practice, and the outsider practice's;
- Riverside's staff: the outsider practice's; the outsiders: Riverside's;
and gets 404 {"code": "not_found"}, the very answer an id of no record at all gets (so an id
reveals nothing). An id in a listing's query is a filter: the answer is 2xx and lists none of
the stranger's records. No answer is a 500 (the test client re-raises a server error).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern

from telept.accounts.actor import actor_for
from telept.accounts.services import api_token_create
from telept.api import api
from telept.billing.tests.matrix import charge_of, claim_of
from telept.clinical.tests.matrix import clinician
from telept.exercises.tests.matrix import exercise_kwargs
from telept.rtm.tests.matrix import enrolment_of, period_of
from telept.tests.factories import local_today
from telept.tests.test_permission_matrix import _appointment

pytestmark = pytest.mark.django_db

PREFIX = "/api/v1/"
ROLES = ["admin", "pt", "pta", "front_desk", "billing", "patient", "other_patient",
         "outsider_admin", "outsider_pt", "outsider_patient"]
# The role each member of the cast plays (the outsiders play theirs in Lakeside).
PLAYS = {"other_patient": "patient", "outsider_patient": "patient",
         "outsider_admin": "admin", "outsider_pt": "pt"}
OUTSIDERS = {"outsider_admin", "outsider_pt", "outsider_patient"}
PATIENTS = {"patient", "other_patient", "outsider_patient"}

MEMBER, STAFF, EDITORS, PATIENT = "member", "staff", "editors", "patient"
EDITORS_AND_PATIENT, CLINICIANS_AND_PATIENT = "editors+patient", "clinicians+patient"
BILLING, BILLING_AND_PT = "billing", "billing+pt"
RTM = "rtm"
WHO = {
    MEMBER: {"admin", "pt", "pta", "front_desk", "billing", "patient"},
    STAFF: {"admin", "pt", "pta", "front_desk", "billing"},
    EDITORS: {"admin", "pt", "pta", "front_desk"},
    EDITORS_AND_PATIENT: {"admin", "pt", "pta", "front_desk", "patient"},
    # telept/exercises/selectors.py CLINICIANS: the admin too.
    CLINICIANS_AND_PATIENT: {"admin", "pt", "pta", "patient"},
    PATIENT: {"patient"},
    # telept/billing/api.py: claims are billing staff's and admins'; a PT reads own charges.
    BILLING: {"admin", "billing"},
    BILLING_AND_PT: {"admin", "billing", "pt"},
    # telept/rtm/selectors.py: clinicians and billing of the practice; a patient their own.
    RTM: {"admin", "pt", "pta", "billing", "patient"},
}


def _home(role: str) -> str:
    """Whose records a role acts on as its own."""
    if role in PATIENTS:
        return role
    return "outsider_patient" if role in OUTSIDERS else "patient"


def _strangers(role: str, key: str) -> list[str]:
    """The patients of the cast whose record named by `key` the role must not reach."""
    if role in OUTSIDERS:
        return ["patient"]
    others = ["outsider_patient"]
    if role in PATIENTS and key in PATIENT_IDS:
        others.insert(0, "other_patient" if role == "patient" else "patient")
    return others


def _provider(cast, target: str):
    return clinician(cast, target).provider


# Every id an API route takes, and how to find the target patient's real record of it.
ID: dict[str, Callable[[Any, str], int]] = {
    "patient_id": lambda cast, target: cast.patients[target].pk,
    "appointment_id": lambda cast, target: _appointment(cast, target),
    "program_id": lambda cast, target: exercise_kwargs(cast, target)["program_id"](),
    "item_id": lambda cast, target: exercise_kwargs(cast, target)["item_id"](),
    "practitioner_id": lambda cast, target: _provider(cast, target).pk,
    "exercise_id": lambda cast, target: exercise_kwargs(cast, target)["exercise_id"](),
    "charge_id": lambda cast, target: charge_of(cast, target),
    "claim_id": lambda cast, target: claim_of(cast, target),
    "enrolment_id": lambda cast, target: enrolment_of(cast, target),
    "period_id": lambda cast, target: period_of(cast, target),
}
# Ids of one patient's record (the other patient gets 404 too); the rest name a record of
# one practice (only the outsiders are strangers to it).
PATIENT_IDS = {"patient_id", "appointment_id", "program_id", "item_id", "enrolment_id",
               "period_id"}
# An id that names no record: what a stranger's id must be answered like.
NO_RECORD = 987_654_321


class Ids:
    """The ids of one request, read from the target's records, each made once; `swap`
    points one key at a stranger's record. Records which keys the request used."""

    def __init__(self, cast, target: str, swap: tuple[str, str | None] | None = None) -> None:
        self.cast, self.target, self.swap = cast, target, swap
        self.used: set[str] = set()
        self._cache: dict[str, int] = {}

    def __getitem__(self, key: str) -> int:
        self.used.add(key)
        return self.value(key)

    def value(self, key: str) -> int:
        """The id, without counting it as used by the request."""
        if self.swap and self.swap[0] == key:
            return NO_RECORD if self.swap[1] is None else ID[key](self.cast, self.swap[1])
        if key not in self._cache:
            self._cache[key] = ID[key](self.cast, self.target)
        return self._cache[key]


def _free_start(ids: Ids) -> str:
    """The first free video slot of the request's practitioner a week from now, as the
    practice's own client would pick it (a stranger's practitioner: theirs)."""
    from telept.practices.models import Provider
    from telept.scheduling.selectors import provider_slots

    provider = Provider.objects.filter(pk=ids.value("practitioner_id")).first()
    if provider is None:
        return (dt.datetime.now(dt.UTC) + dt.timedelta(days=8)).isoformat()
    _, _, slots = provider_slots(actor=actor_for(provider.user), provider_id=provider.pk,
                                 start=local_today() + dt.timedelta(days=7), days=7,
                                 visit_type_ref="follow_up", modality="video")
    return slots[0].start.isoformat()


def _booking(ids: Ids) -> dict[str, object]:
    from telept.practices.models import Provider

    provider = Provider.objects.filter(pk=ids.value("practitioner_id")).first()
    return {"practitioner_id": ids["practitioner_id"], "patient_id": ids["patient_id"],
            "visit_type": "follow_up", "modality": "video", "start": _free_start(ids),
            "patient_state": provider.licensed_states[0] if provider else "NY"}


def _session(ids: Ids) -> dict[str, object]:
    return {"program_id": ids["program_id"],
            "logs": [{"item_id": ids["item_id"], "status": "done", "pain": 2}]}


def _new_patient_of(cast, role: str, body: Any) -> bool:
    from telept.patients.models import Patient

    patient = Patient.objects.filter(pk=body.get("id")).first()
    return patient is not None and body["mrn"] == patient.mrn \
        and patient.practice_id == cast.patients[_home(role)].practice_id


@dataclass(frozen=True)
class Route:
    """How a route is used and what proves an allowed role really got its answer."""

    who: str
    # (answer body, the request's ids, cast, role) -> the record acted on is named in it
    proof: Callable[[Any, Ids, Any, str], bool]
    method: str = "GET"
    status: int = 200
    query: Callable[[Ids], dict[str, object]] | None = None
    body: Callable[[Ids], dict[str, object]] | None = None
    # A listing: the ids of the records it shows, and the kind of record they are.
    shows: Callable[[Any], set[int]] | None = None
    kind: str = ""
    # Records that must exist (for the acting role and every stranger) before the call.
    needs: tuple[str, ...] = ()
    # An id answered otherwise than 404, with why (still exactly like an id of no record).
    answered: dict[str, str] = field(default_factory=dict)


def _ids_of(rows: list[dict[str, Any]]) -> set[int]:
    return {row["id"] for row in rows}


# url name (from api.urls) -> how it is used, who may use it.
API_ACCESS: dict[str, Route] = {
    "list_patients": Route(MEMBER, lambda b, ids, c, r: ids.value("patient_id") in
                           _ids_of(b["items"]), shows=lambda b: _ids_of(b["items"]),
                           kind="patient_id"),
    "read_patient": Route(MEMBER, lambda b, ids, c, r: b["id"] == ids.value("patient_id")),
    "create_patient": Route(EDITORS, lambda b, ids, c, r: _new_patient_of(c, r, b),
                            method="POST", status=201, body=lambda ids: {
                                "first_name": "Ana", "last_name": "Matrix",
                                "date_of_birth": "1980-02-03"}),
    "update_patient": Route(EDITORS, lambda b, ids, c, r: b["id"] == ids.value("patient_id")
                            and b["preferred_name"] == "Matrix", method="PATCH",
                            body=lambda ids: {"preferred_name": "Matrix"}),
    "me": Route(MEMBER, lambda b, ids, c, r: b["user_id"] == c.users[r].pk
                and b["practice_id"] == c.patients[_home(r)].practice_id
                and b["patient_id"] == (c.patients[r].pk if r in PATIENTS else None)),
    "practitioners": Route(MEMBER, lambda b, ids, c, r: ids.value("practitioner_id") in
                           _ids_of(b), shows=_ids_of, kind="practitioner_id"),
    "practitioner_slots": Route(MEMBER, lambda b, ids, c, r: b["practitioner_id"] ==
                                ids.value("practitioner_id") and bool(b["slots"]),
                                query=lambda ids: {
                                    "start": (local_today() + dt.timedelta(days=7))
                                    .isoformat()}),
    "book": Route(EDITORS_AND_PATIENT, lambda b, ids, c, r: b["patient_id"] ==
                  ids.value("patient_id") and b["practitioner_id"] ==
                  ids.value("practitioner_id") and b["status"] == "booked",
                  method="POST", status=201, body=_booking),
    "list_appointments": Route(MEMBER, lambda b, ids, c, r: ids.value("appointment_id") in
                               _ids_of(b), shows=_ids_of, kind="appointment_id",
                               needs=("appointment_id",), query=lambda ids: {
                                   "patient_id": ids["patient_id"],
                                   "practitioner_id": ids["practitioner_id"]}),
    "cancel": Route(EDITORS_AND_PATIENT, lambda b, ids, c, r: b["id"] ==
                    ids.value("appointment_id") and b["status"] == "cancelled",
                    method="POST", body=lambda ids: {"reason": "Feeling better"}),
    "read_appointment": Route(MEMBER, lambda b, ids, c, r: b["id"] ==
                              ids.value("appointment_id")),
    # Both practices have an exercise called "Matrix media": only one's own may show.
    "list_exercises": Route(STAFF, lambda b, ids, c, r: ids.value("exercise_id") in
                            _ids_of(b["items"]), shows=lambda b: _ids_of(b["items"]),
                            kind="exercise_id", needs=("exercise_id",),
                            query=lambda ids: {"q": "matrix media"}),
    "read_program": Route(CLINICIANS_AND_PATIENT, lambda b, ids, c, r: b["id"] ==
                          ids.value("program_id") and b["patient_id"] ==
                          ids.value("patient_id"), needs=("program_id", "item_id")),
    "log_session": Route(PATIENT, lambda b, ids, c, r: b["program_id"] ==
                         ids.value("program_id") and b["logged"] == 1,
                         method="POST", status=201, body=_session, answered={
                             "item_id": "422 unknown_item, 'That exercise is not in your "
                                        "program': the body names an exercise of the "
                                        "program, the program is already the patient's own"}),
    # Billing (telept/billing/api.py). The walk's claim is "to review": submitting it is
    # refused with 409 claim_not_ready after the role and scope checks, and it has no 837P
    # yet (404 "No such claim file.", unlike a stranger's claim: "No such claim."); a real
    # submission, the text/plain file and 835 posting are proven in
    # telept/billing/tests/test_api.py.
    "list_charges": Route(BILLING_AND_PT, lambda b, ids, c, r: ids.value("charge_id") in
                          _ids_of(b["items"]), shows=lambda b: _ids_of(b["items"]),
                          kind="charge_id", needs=("charge_id",)),
    "list_claims": Route(BILLING, lambda b, ids, c, r: ids.value("claim_id") in
                         _ids_of(b["items"]), shows=lambda b: _ids_of(b["items"]),
                         kind="claim_id", needs=("claim_id",)),
    "read_claim": Route(BILLING, lambda b, ids, c, r: b["id"] == ids.value("claim_id")
                        and b["lines"][0]["why"][0]["rule"] == "units_cms"),
    "submit_claim": Route(BILLING, lambda b, ids, c, r: b["code"] == "claim_not_ready"
                          and b["claim_id"] == ids.value("claim_id"), method="POST",
                          status=409),
    "claim_x12": Route(BILLING, lambda b, ids, c, r: b["message"] == "No such claim file.",
                       status=404, needs=("claim_id",)),
    # No file in the walk's JSON body: 422 remittance_missing, after the role check.
    "post_remittance": Route(BILLING, lambda b, ids, c, r: b["code"] == "remittance_missing",
                             method="POST", status=422),
    # RTM (telept/rtm/api.py): listings only; the ids are the enrolment's and period's own.
    "list_rtm_enrolments": Route(RTM, lambda b, ids, c, r: ids.value("enrolment_id") in
                                 _ids_of(b["items"]), shows=lambda b: _ids_of(b["items"]),
                                 kind="enrolment_id", needs=("enrolment_id",)),
    "list_rtm_periods": Route(RTM, lambda b, ids, c, r: ids.value("period_id") in
                              _ids_of(b["items"]), shows=lambda b: _ids_of(b["items"]),
                              kind="period_id", needs=("period_id",)),
}
# Routes of ninja's own, not operations: what everybody (anonymous too) gets.
NOT_OPERATIONS = {
    "openapi-json": 200,  # the OpenAPI schema, public like the docs
    "openapi-view": 200,  # Swagger UI (templates/api/docs.html), public
    "api-root": 404,  # ninja's marker for the API's root path: nothing is there
}


def _operation_patterns() -> dict[str, tuple[URLPattern, set[str]]]:
    """url name -> (its URL pattern, its HTTP methods), from the API's URL patterns."""
    found: dict[str, tuple[URLPattern, set[str]]] = {}
    for pattern in api.urls[0]:
        view = getattr(pattern.callback, "__closure__", None) or ()
        path_views = [cell.cell_contents for cell in view
                      if hasattr(cell.cell_contents, "operations")]
        if not path_views:
            found[pattern.name] = (pattern, set())
            continue
        operations = [op for op in path_views[0].operations
                      if op.view_func.__name__ == pattern.name]
        assert len(operations) == 1, f"{pattern.name}: {operations}"
        found[pattern.name] = (pattern, set(operations[0].methods))
    return found


OPERATIONS = _operation_patterns()


def test_every_api_route_is_declared():
    names = set(OPERATIONS)
    declared = set(API_ACCESS) | set(NOT_OPERATIONS)
    assert names == declared, (f"undeclared: {sorted(names - declared)}, "
                               f"stale: {sorted(declared - names)}")
    for name, route in API_ACCESS.items():
        assert OPERATIONS[name][1] == {route.method}, f"{name}: {OPERATIONS[name][1]}"
    for name in NOT_OPERATIONS:
        assert not OPERATIONS[name][1], f"{name} is an operation: declare it in API_ACCESS"


def test_every_id_an_api_route_takes_is_known():
    unknown = {f"{name}: {key}" for name, (pattern, _) in OPERATIONS.items()
               for key in pattern.pattern.converters if key not in ID}
    assert not unknown, f"add these ids to ID in this file: {sorted(unknown)}"


def _url(pattern: URLPattern, ids: Ids) -> str:
    route = str(pattern.pattern)
    for key in pattern.pattern.converters:
        route = route.replace(f"<int:{key}>", str(ids[key])).replace(f"<{key}>", str(ids[key]))
    return PREFIX + route


def _call(client: Client, name: str, ids: Ids) -> tuple[Any, str]:
    """Call the route with these ids; the response and a line saying what was sent."""
    route = API_ACCESS[name]
    pattern = OPERATIONS[name][0]
    url = _url(pattern, ids)
    query = route.query(ids) if route.query else {}
    body = route.body(ids) if route.body else None
    if route.method == "GET":
        response = client.get(url, query)
    else:
        response = client.generic(route.method, url, json.dumps(body or {}),
                                  content_type="application/json")
    return response, f"{route.method} {url} {query or ''} {body or ''}"


def _error_body(response) -> str:
    """'' when the answer is a JSON {"code", "message"} error, else what is wrong."""
    if not response["Content-Type"].startswith("application/json"):
        return f"not JSON ({response['Content-Type']})"
    body = response.json()
    if not (isinstance(body.get("code"), str) and isinstance(body.get("message"), str)):
        return f"no code and message: {body}"
    return ""


def _client(token: str | None) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}") if token else Client()


@pytest.fixture
def bookable(cast):
    """Both practices' PTs take video visits every day 08:00-17:00, their follow-up visit
    type exists, and every patient has a program with a camera-measured exercise."""
    from telept.scheduling.demo import _visit_types
    from telept.scheduling.models import Availability

    for target in ("patient", "outsider_patient"):
        _visit_types(cast.patients[target].practice)
        for weekday in range(7):
            Availability.objects.create(provider=_provider(cast, target), weekday=weekday,
                                        start_time=dt.time(8), end_time=dt.time(17),
                                        telehealth=True)
    return cast


@pytest.mark.parametrize("name", sorted(NOT_OPERATIONS))
def test_the_api_s_own_pages_answer_everybody_alike(cast, name):
    pattern = OPERATIONS[name][0]
    url = PREFIX + str(pattern.pattern)
    for role in [None, "patient", "outsider_pt"]:
        token = api_token_create(user=cast.users[role], name="matrix")[1] if role else None
        response = _client(token).get(url)
        assert response.status_code == NOT_OPERATIONS[name], f"{role} GET {url}"


@pytest.mark.parametrize("name", sorted(API_ACCESS))
def test_every_api_route_admits_exactly_the_roles_it_declares(bookable, name):
    cast = bookable
    route = API_ACCESS[name]
    for caller in (_client(None), _client("tpt_0000_not-a-token")):
        response, sent = _call(caller, name, Ids(cast, "patient"))
        assert response.status_code == 401, f"anonymous {sent}: {response.status_code}"
        assert response.json()["code"] == "unauthenticated", sent
    for role in ROLES:
        client = _client(api_token_create(user=cast.users[role], name="matrix")[1])
        allowed = PLAYS.get(role, role) in WHO[route.who]
        ids = Ids(cast, _home(role))
        for key in route.needs:
            ids.value(key)
        strangers_shown = _stranger_records(cast, role, route) if route.shows else {}
        response, sent = _call(client, name, ids)
        label = f"{role} {sent}: {response.status_code} {response.content[:300]!r}"
        if not allowed:
            assert response.status_code in (403, 404), f"{label} (not declared allowed)"
            assert not _error_body(response), f"{label}: {_error_body(response)}"
            continue
        assert response.status_code == route.status, f"{label} (declared allowed)"
        body = response.json()
        assert route.proof(body, ids, cast, role), f"{label}: the answer does not name it"
        if route.shows:
            leaked = route.shows(body) & set(strangers_shown)
            assert not leaked, f"{label}: lists {[strangers_shown[i] for i in leaked]}"
        _try_strangers(client, cast, role, name, ids.used, label)


def _stranger_records(cast, role: str, route: Route) -> dict[int, str]:
    """id -> whose, of the strangers' records of the listing's kind (made before the call)."""
    return {ID[route.kind](cast, target): f"{route.kind} of {target}"
            for target in _strangers(role, route.kind)}


def _try_strangers(client: Client, cast, role: str, name: str, used: set[str],
                   label: str) -> None:
    route = API_ACCESS[name]
    filters = _query_keys(cast, role, route)
    for key in sorted(used):
        missing, sent = _call(client, name, Ids(cast, _home(role), swap=(key, None)))
        for target in _strangers(role, key):
            theirs = Ids(cast, _home(role), swap=(key, target))
            for need in route.needs:  # the stranger's record is in the same state
                Ids(cast, target).value(need)
            response, sent = _call(client, name, theirs)
            what = f"{role} {sent} ({key} of {target}): {response.status_code} " \
                   f"{response.content[:300]!r}"
            if key in filters:
                assert 200 <= response.status_code < 300, what
                shown = route.shows(response.json()) if route.shows else set()
                assert ID[route.kind](cast, target) not in shown, what
                continue
            assert not _error_body(response), f"{what}: {_error_body(response)}"
            assert (response.status_code, response.json()["code"]) == (
                missing.status_code, missing.json()["code"]), \
                f"{what}; an id of no record gets {missing.status_code} {missing.content!r}"
            if key not in route.answered:
                assert response.status_code == 404, what


def _query_keys(cast, role: str, route: Route) -> set[str]:
    """The ids a route's query uses: filters of a listing."""
    if route.query is None:
        return set()
    ids = Ids(cast, _home(role))
    route.query(ids)
    return ids.used
