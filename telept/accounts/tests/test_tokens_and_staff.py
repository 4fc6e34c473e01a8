"""API tokens (hashed, revocable, command line) and staff invitations and roles."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from telept.accounts import services
from telept.accounts.models import ApiToken, Membership

pytestmark = pytest.mark.django_db


def test_a_token_is_stored_only_as_a_hash_and_works_until_revoked(cast):
    token, raw = services.api_token_create(user=cast.users["pt"], name="scripts")
    assert raw not in (token.token_hash, token.prefix) and token.token_hash != raw
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert Client().get("/api/v1/me", **headers).json()["role"] == "pt"
    services.api_token_revoke(user=cast.users["pt"], token_id=token.pk)
    assert Client().get("/api/v1/me", **headers).status_code == 401


def test_a_tampered_token_is_refused(cast):
    _, raw = services.api_token_create(user=cast.users["pt"], name="x")
    tampered = raw[:-2] + ("AA" if raw[-2:] != "AA" else "BB")
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {tampered}").status_code == 401


def test_the_tokens_page_shows_a_new_token_once_and_revokes(cast):
    client = cast.client("pt")
    page = client.post(reverse("accounts:tokens"), {"name": "laptop"})
    raw = re.search(r'data-testid="new-token">([^<]+)<', page.content.decode()).group(1)
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert raw not in client.get(reverse("accounts:tokens")).content.decode()
    token = ApiToken.objects.get(name="laptop")
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_nobody_can_revoke_someone_elses_token(cast):
    token, _ = services.api_token_create(user=cast.users["pt"], name="x")
    response = cast.client("admin").post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_issue_token_prints_the_token_alone(cast):
    out = StringIO()
    call_command("issue_token", cast.users["billing"].email, stdout=out)
    raw = out.getvalue().strip()
    assert re.fullmatch(r"tpt_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", raw)
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").json()["role"] == \
        "billing"


def test_an_admin_invites_a_staff_member_who_joins_with_that_role(
        cast, django_capture_on_commit_callbacks):
    client = cast.client("admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("practices:staff"),
                               {"email": "new.pt@example.test", "role": "pt"})
    assert response.status_code == 302
    link = re.search(r"/accounts/invitation/([^/\s]+)/", mail.outbox[-1].body).group(1)
    newcomer = Client()
    accepted = newcomer.post(reverse("accounts:invitation_accept", args=[link]), {
        "full_name": "New PT", "password": "a-good-long-passphrase",
        "password_again": "a-good-long-passphrase"})
    assert accepted["Location"] == reverse("accounts:mfa_setup")
    membership = Membership.objects.get(user__email="new.pt@example.test")
    assert membership.role == "pt" and membership.practice == cast.practice
    reused = Client().get(reverse("accounts:invitation_accept", args=[link]))
    assert reused.status_code == 400


def test_only_admins_invite_or_change_roles(cast):
    for role in ("pt", "pta", "front_desk", "billing", "patient"):
        response = cast.client(role).post(reverse("practices:staff"),
                                          {"email": "x@example.test", "role": "pt"})
        assert response.status_code == 403, role
    assert not mail.outbox


def test_an_admin_changes_a_role_but_not_in_another_practice(cast):
    client = cast.client("admin")
    pta = Membership.objects.get(user=cast.users["pta"])
    client.post(reverse("practices:member_role", args=[pta.pk]), {"role": "pt", "active": "on"})
    pta.refresh_from_db()
    assert pta.role == "pt"
    outsider = Membership.objects.get(user=cast.users["outsider_pt"])
    client.post(reverse("practices:member_role", args=[outsider.pk]), {"role": "billing"})
    outsider.refresh_from_db()
    assert outsider.role == "pt" and outsider.is_active


def test_an_admin_cannot_remove_their_own_admin_role(cast):
    own = Membership.objects.get(user=cast.users["admin"])
    cast.client("admin").post(reverse("practices:member_role", args=[own.pk]),
                              {"role": "pt", "active": "on"})
    own.refresh_from_db()
    assert own.role == "admin"


def test_the_django_admin_is_for_superusers_only(cast):
    assert cast.client("admin").get("/admin/").status_code == 302
    root = cast.users["admin"]
    root.is_superuser = root.is_staff = True
    root.save()
    assert cast.client("admin").get("/admin/").status_code == 200
