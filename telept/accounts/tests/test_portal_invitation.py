"""A practice cannot attach its patient record to someone else's account (Issue 16 item 17).

When the e-mail on a record already has an account (here Lakeside's patient), Riverside's
"Give portal access" only invites: no link and no membership until that person, signed in as
themselves, accepts. Nobody else can accept for them.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from telept.accounts.models import Membership, PortalInvitation
from telept.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def invite_posted(cast, django_capture_on_commit_callbacks):
    """Riverside's front desk puts Lakeside's patient's e-mail on a new Riverside record and
    gives portal access. Returns (record, invitee)."""
    invitee = cast.users["outsider_patient"]
    record = factories.PatientFactory(practice=cast.practice, user=None, email=invitee.email)
    with django_capture_on_commit_callbacks(execute=True):
        response = cast.client("front_desk").post(
            reverse("patients:portal_invite", args=[record.pk]))
    assert response.status_code == 302
    return record, invitee


@pytest.fixture
def invited(invite_posted):
    """As `invite_posted`, plus the path of the invitation link from the notice."""
    record, invitee = invite_posted
    notice = mail.outbox[-1]
    match = re.search(r"/accounts/portal-invitation/[^/\s]+/", notice.body)
    assert match, notice.body
    return record, invitee, match.group(0)


def _linked(record, user) -> bool:
    record.refresh_from_db()
    return record.user_id == user.pk or Membership.objects.filter(
        user=user, practice=record.practice).exists()


def test_no_link_and_no_membership_until_the_person_accepts(cast, invite_posted):
    record, invitee = invite_posted
    assert record.__class__.objects.get(pk=record.pk).user_id is None
    assert not Membership.objects.filter(user=invitee, practice=cast.practice).exists()
    assert not any("/accounts/magic/" in m.body for m in mail.outbox)  # no sign-in link
    assert PortalInvitation.objects.filter(patient=record, user=invitee,
                                           accepted_at__isnull=True).count() == 1


def test_the_notice_asks_to_accept_names_the_practice_and_is_no_sign_in_link(cast, invited):
    _, invitee, _ = invited
    notice = mail.outbox[-1]
    assert notice.to == [invitee.email]
    assert "Riverside" in notice.subject and "Riverside" in notice.body
    assert "accept" in notice.body.lower()
    assert "/accounts/magic/" not in notice.body


def test_accepting_signed_in_as_the_invitee_links_the_record(cast, invited):
    record, invitee, path = invited
    client = cast.client("outsider_patient")
    page = client.get(path)
    assert page.status_code == 200 and "Riverside" in page.content.decode()
    assert not _linked(record, invitee)  # looking is not accepting
    response = client.post(path, {"answer": "accept"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.user_id == invitee.pk
    assert Membership.objects.get(user=invitee, practice=cast.practice).role == "patient"
    assert client.post(path, {"answer": "accept"}).status_code == 400  # used once


@pytest.mark.parametrize("other", ["patient", "outsider_pt", "front_desk"])
def test_another_user_cannot_accept_it(cast, invited, other):
    record, invitee, path = invited
    client = cast.client(other)
    assert client.get(path).status_code == 403
    assert client.post(path, {"answer": "accept"}).status_code == 403
    record.refresh_from_db()
    assert record.user_id is None
    assert not Membership.objects.filter(user=invitee, practice=cast.practice).exists()
    assert PortalInvitation.objects.get(patient=record).accepted_at is None


def test_an_anonymous_visitor_is_sent_to_sign_in(cast, invited):
    _, _, path = invited
    response = Client().post(path, {"answer": "accept"})
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_declining_links_nothing(cast, invited):
    record, invitee, path = invited
    client = cast.client("outsider_patient")
    assert client.post(path, {"answer": "decline"}).status_code == 302
    assert not _linked(record, invitee)
    assert client.post(path, {"answer": "accept"}).status_code == 400


def test_a_new_e_mail_still_gets_an_account_linked_at_once(cast):
    record = factories.PatientFactory(practice=cast.practice, user=None,
                                      email="brand.new@mail.test")
    response = cast.client("front_desk").post(reverse("patients:portal_invite",
                                                      args=[record.pk]))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.user is not None and record.user.email == "brand.new@mail.test"
    assert Membership.objects.get(user=record.user, practice=cast.practice).role == "patient"
    assert not PortalInvitation.objects.exists()
