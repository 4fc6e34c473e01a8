"""TURN REST credentials as coturn's `use-auth-secret` checks them."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telept.visits.rules.turn import ice_servers, turn_credentials

NOW = 1_718_000_000


def test_it_matches_a_known_vector_computed_independently():
    creds = turn_credentials(secret="north-sea-42", user_id="patient-17", ttl_seconds=3600, now=NOW)
    username = f"{NOW + 3600}:patient-17"
    expected = base64.b64encode(
        hmac.new(b"north-sea-42", username.encode(), hashlib.sha1).digest()
    ).decode()
    assert creds == {
        "username": username,
        "credential": expected,
        "ttl": 3600,
        "expires_at": NOW + 3600,
    }


def test_a_fixed_vector_keeps_the_wire_format_stable():
    # Pinned from `printf '1000000060:u1' | openssl dgst -sha1 -hmac secret -binary | base64`
    # so a change of encoding (hex, urlsafe, no padding) cannot slip through: coturn compares
    # the base64 text exactly.
    creds = turn_credentials(secret="secret", user_id="u1", ttl_seconds=60, now=1_000_000_000)
    assert creds["username"] == "1000000060:u1"
    assert creds["credential"] == "tBwdVKjO72sH0DQmrci1PEaJk0w="


def test_the_username_starts_with_the_expiry_coturn_enforces():
    creds = turn_credentials(secret="s", user_id="therapist:9", ttl_seconds=900, now=NOW)
    expiry, _, user = creds["username"].partition(":")
    assert int(expiry) == NOW + 900 == creds["expires_at"]
    assert user == "therapist:9"


def test_a_later_expiry_gives_a_different_credential():
    first = turn_credentials(secret="s", user_id="u", ttl_seconds=60, now=NOW)
    later = turn_credentials(secret="s", user_id="u", ttl_seconds=60, now=NOW + 1)
    assert first["credential"] != later["credential"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"secret": ""}, "secret is empty"),
        ({"user_id": ""}, "user_id is empty"),
        ({"ttl_seconds": 0}, "positive"),
        ({"ttl_seconds": -60}, "positive"),
        ({"ttl_seconds": 1.5}, "whole number"),
        ({"ttl_seconds": True}, "whole number"),
    ],
)
def test_it_refuses_settings_that_would_mint_useless_or_dangerous_credentials(kwargs, message):
    args = {"secret": "s", "user_id": "u", "ttl_seconds": 60, "now": NOW, **kwargs}
    with pytest.raises(ValueError, match=message):
        turn_credentials(**args)


def test_ice_servers_list_stun_then_turn_with_credentials():
    creds = turn_credentials(secret="s", user_id="u", ttl_seconds=60, now=NOW)
    servers = ice_servers(
        stun_urls=["stun:turn.example.org:3478"],
        turn_urls=["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"],
        creds=creds,
    )
    assert servers == [
        {"urls": ["stun:turn.example.org:3478"]},
        {
            "urls": [
                "turn:turn.example.org:3478?transport=udp",
                "turns:turn.example.org:5349",
            ],
            "username": creds["username"],
            "credential": creds["credential"],
        },
    ]


def test_ice_servers_leave_out_empty_groups():
    creds = turn_credentials(secret="s", user_id="u", ttl_seconds=60, now=NOW)
    assert ice_servers(stun_urls=[], turn_urls=[], creds=creds) == []
    only_turn = ice_servers(stun_urls=(), turn_urls=["turn:127.0.0.1:3478"], creds=creds)
    assert [s["urls"] for s in only_turn] == [["turn:127.0.0.1:3478"]]


@pytest.mark.parametrize(
    ("stun", "turn", "message"),
    [
        ("stun:one", [], "list of URLs"),
        (["turn:wrong-group"], [], "stun_urls must start with"),
        ([], ["stun:wrong-group"], "turn_urls must start with"),
        ([], ["https://turn.example.org"], "turn_urls must start with"),
    ],
)
def test_ice_servers_refuse_urls_a_browser_would_reject(stun, turn, message):
    creds = turn_credentials(secret="s", user_id="u", ttl_seconds=60, now=NOW)
    with pytest.raises(ValueError, match=message):
        ice_servers(stun_urls=stun, turn_urls=turn, creds=creds)


@given(
    secret=st.text(min_size=1),
    user_id=st.text(min_size=1),
    ttl=st.integers(min_value=1, max_value=10**7),
    now=st.integers(min_value=0, max_value=2**40),
)
def test_credentials_always_verify_like_coturn_would(secret, user_id, ttl, now):
    creds = turn_credentials(secret=secret, user_id=user_id, ttl_seconds=ttl, now=now)
    # What coturn does: read the expiry before the first ':' and recompute the HMAC.
    expiry = int(creds["username"].split(":", 1)[0])
    assert expiry == now + ttl
    digest = hmac.new(secret.encode(), creds["username"].encode(), hashlib.sha1).digest()
    assert base64.b64decode(creds["credential"], validate=True) == digest
