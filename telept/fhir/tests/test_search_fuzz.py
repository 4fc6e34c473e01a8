"""Property test over the search parameters (issue 11 item 2): whatever a client sends to a
search, it gets a Bundle (200) or an OperationOutcome (4xx), never a 5xx."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telept.fhir import registry
from telept.fhir.tests.records import care_record
from telept.fhir.tests.validate import check

TYPES = [*registry.names(), "Questionnaire"]


def _known(name: str) -> list[str]:
    if name in registry.STATIC:
        return sorted(registry.STATIC[name].search)
    return sorted({p for src in registry.sources(name) for p in src.search})


VALUES = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789-T:Z+.", max_size=25),
    st.sampled_from(["eq", "ne", "lt", "gt", "le", "ge", "sa", "eb", "ap"]).flatmap(
        lambda p: st.dates().map(lambda d: f"{p}{d.isoformat()}")),
    st.datetimes().map(lambda d: d.isoformat()),
    st.integers(min_value=-10**20, max_value=10**20).map(str),
    st.sampled_from(["http://loinc.org|82324-5", "|", "a|b|c", "Patient/1", "Patient/",
                     "Patient/abc", "http://x/Patient/2", ",", ",,", "9999-12-31",
                     "0000-01-01", "2026-02-29", "VR", "final", "\x00", "%00", "é" * 40,
                     "active,inactive", "urn:telept:motion|knee_flexion", "M17.11"]),
)


@st.composite
def queries(draw):
    name = draw(st.sampled_from(TYPES))
    known = _known(name)
    keys = st.one_of(st.sampled_from(known or ["_id"]),
                     st.sampled_from(["_id", "_count", "_offset", "_include", "_summary",
                                      "_format", "patient", "code", "date", "status"]),
                     st.text(min_size=1, max_size=12))
    pairs = draw(st.lists(st.tuples(
        st.tuples(keys, st.sampled_from(["", ":exact", ":contains", ":missing", ":x"])),
        VALUES), max_size=4))
    return name, [(k + m, v) for (k, m), v in pairs]


@pytest.fixture
def seeded(cast):
    return care_record(cast.patient, cast.users["pt"], visits=2, measures=2, pain_logs=1,
                       home_rom=1, visit_rom=1)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(query=queries())
def test_no_search_ever_answers_5xx(seeded, fhir, query):
    name, pairs = query
    client = fhir("pt")
    params: dict[str, list[str]] = {}
    for key, value in pairs:
        params.setdefault(key, []).append(value)
    resp = client.client.get(f"/fhir/R4/{name}", params,
                             headers={"Authorization": f"Bearer {client.token}"})
    assert resp.status_code < 500, (name, pairs, resp.content[:300])
    body = json.loads(resp.content)
    assert body["resourceType"] == ("Bundle" if resp.status_code == 200
                                    else "OperationOutcome"), (name, pairs)
    check(body)
