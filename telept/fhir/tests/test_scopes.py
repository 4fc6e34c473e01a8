"""SMART scopes (pure): parsing v1 and v2, what a scope set permits, narrowing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telept.fhir import scopes

TYPES = ["Patient", "Observation", "Condition", "Coverage", "Encounter"]


@pytest.mark.parametrize("scope, rtype, interaction, expected", [
    ("patient/*.rs", "Observation", "read", True),
    ("patient/*.rs", "Observation", "search", True),
    ("user/Observation.rs", "Observation", "search", True),
    ("user/Observation.rs", "Patient", "read", False),
    ("system/*.rs", "Coverage", "read", True),
    ("system/Patient.r", "Patient", "search", False),
    ("system/Patient.s", "Patient", "search", True),
    ("patient/*.read", "Condition", "search", True),    # v1
    ("user/Patient.*", "Patient", "read", True),        # v1
    ("patient/*.write", "Patient", "read", False),      # v1 write does not read
    ("patient/*.cruds", "Patient", "read", True),
    ("patient/*.sr", "Patient", "read", False),         # v2 letters out of order: not a scope
    ("patient/Observation.rs?category=survey", "Observation", "read", False),  # granular
    ("launch/patient", "Patient", "read", False),
    ("openid", "Patient", "read", False),
    ("bogus/*.rs", "Patient", "read", False),
    ("patient/observation.rs", "Observation", "read", False),
    ("patient/*.rs", "Patient", "delete", False),
])
def test_what_a_scope_permits(scope, rtype, interaction, expected):
    assert scopes.permits([scope], rtype, interaction) is expected


@pytest.mark.parametrize("requested, allowed, contexts, granted", [
    (["system/*.rs"], ["system/*.rs"], ("system",), {"system/*.rs"}),
    (["system/*.rs"], ["system/Patient.rs", "system/Observation.r"], ("system",),
     {"system/Patient.rs", "system/Observation.r"}),
    (["system/Observation.rs"], ["system/*.r"], ("system",), {"system/Observation.r"}),
    (["system/*.read"], ["system/*.rs"], ("system",), {"system/*.rs"}),
    (["system/*.cruds"], ["system/*.cruds"], ("system",), {"system/*.rs"}),  # read-only
    (["system/*.cud"], ["system/*.cruds"], ("system",), set()),
    (["patient/*.rs"], ["system/*.rs"], ("system",), set()),       # context must match
    (["system/*.rs"], ["system/*.rs"], ("patient", "user"), set()),  # not for people
    (["patient/*.rs", "user/Patient.r"], ["patient/*.rs", "user/*.rs"], ("patient", "user"),
     {"patient/*.rs", "user/Patient.r"}),
    (["system/*.rs", "system/Patient.r"], ["system/*.rs"], ("system",), {"system/*.rs"}),
    (["patient/Observation.rs?category=survey"], ["patient/*.rs"], ("patient",), set()),
])
def test_narrowing(requested, allowed, contexts, granted):
    assert scopes.narrow(requested, allowed, contexts=contexts) == granted


def test_launch_scopes_are_kept_apart():
    asked = ["launch/patient", "openid", "fhirUser", "patient/*.rs", "made-up"]
    assert scopes.launch_scopes(asked) == {"launch/patient", "openid", "fhirUser"}
    assert scopes.narrow(asked, asked) == {"patient/*.rs"}


def test_consent_page_sentences():
    assert scopes.describe("patient/*.rs") == "Read and search your whole record"
    assert scopes.describe("patient/Observation.r") == \
        "Read your measurements and questionnaire scores"
    assert scopes.describe("launch/patient") == "Know which patient record you chose"


_scope = st.builds(
    lambda ctx, t, perms, v1: f"{ctx}/{t}.{v1 or perms}",
    st.sampled_from(scopes.CONTEXTS), st.sampled_from(["*", *TYPES]),
    st.sets(st.sampled_from("cruds"), min_size=1).map(
        lambda s: "".join(c for c in "cruds" if c in s)),
    st.sampled_from([None, None, "read", "write", "*"]))


@given(requested=st.lists(_scope, max_size=5), allowed=st.lists(_scope, max_size=5))
def test_narrowing_never_grants_more_than_either_side(requested, allowed):
    granted = scopes.narrow(requested, allowed)
    for rtype in TYPES:
        for interaction in ("read", "search"):
            if scopes.permits(granted, rtype, interaction):
                assert scopes.permits(requested, rtype, interaction)
                assert scopes.permits(allowed, rtype, interaction)


@given(requested=st.lists(_scope, max_size=5), allowed=st.lists(_scope, max_size=5))
def test_narrowing_keeps_every_read_both_sides_allow_in_one_context(requested, allowed):
    for context in scopes.CONTEXTS:
        mine = [s for s in requested if s.startswith(context)]
        theirs = [s for s in allowed if s.startswith(context)]
        granted = scopes.narrow(mine, theirs, contexts=[context])
        for rtype in TYPES:
            for interaction in ("read", "search"):
                both = scopes.permits(mine, rtype, interaction) and \
                    scopes.permits(theirs, rtype, interaction)
                # a type read through "*" on one side and by name on the other still meets
                if both:
                    assert scopes.permits(granted, rtype, interaction), (mine, theirs)


@given(st.lists(_scope, max_size=5))
def test_narrowing_is_idempotent(requested):
    once = scopes.narrow(requested, requested)
    assert scopes.narrow(once, once) == once
    for scope in once:
        assert scopes.parse(scope) is not None and scopes.parse(scope).text() == scope
