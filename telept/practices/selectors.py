"""Reads of practice data (no patient data here, but still scoped to the actor's practice)."""

from __future__ import annotations

from django.db.models import QuerySet

from telept.accounts.actor import Actor
from telept.accounts.models import Invitation, Membership
from telept.accounts.roles import Role
from telept.practices.models import Provider


def provider_list(*, actor: Actor) -> QuerySet[Provider]:
    return Provider.objects.filter(practice_id=actor.practice_id).order_by("display_name")


def staff_members(*, actor: Actor) -> QuerySet[Membership]:
    return (Membership.objects.filter(practice_id=actor.practice_id)
            .exclude(role=Role.PATIENT).select_related("user").order_by("user__full_name"))


def open_invitations(*, actor: Actor) -> QuerySet[Invitation]:
    return Invitation.objects.filter(practice_id=actor.practice_id, accepted_at__isnull=True,
                                     revoked_at__isnull=True).order_by("-created_at")
