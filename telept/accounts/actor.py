"""Who is acting, in which practice and role: the one object every selector and service takes.

An `Actor` is built from a signed-in session or an API token. Staff actors exist only once
MFA is satisfied, so no code path can reach patient data on a password alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop

from telept.accounts.models import Membership, User
from telept.accounts.roles import CLINICAL_ROLES, STAFF_ROLES, Role
from telept.lib.errors import DomainError


class NoMembership(DomainError):
    status = 403

    def __init__(self) -> None:
        super().__init__("no_membership", gettext_noop(  # translated on the page (error_page)
            "This account has no active practice membership."))


@dataclass(frozen=True)
class Actor:
    user: User
    membership: Membership
    patient_id: int | None = None

    @property
    def user_id(self) -> int:
        return self.user.pk

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def practice_id(self) -> int:
        return self.membership.practice_id

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT

    @property
    def is_clinician(self) -> bool:
        return self.role in CLINICAL_ROLES


def memberships_of(user: User) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user, is_active=True)
        .select_related("practice").order_by("id")
    )


def actor_for(user: User, *, practice_id: int | None = None) -> Actor:
    """The actor for `user` in the chosen practice (or their first active membership)."""
    if not user.is_active:
        raise NoMembership()
    memberships = memberships_of(user)
    if practice_id is not None:
        memberships = [m for m in memberships if m.practice_id == practice_id] or memberships
    if not memberships:
        raise NoMembership()
    membership = memberships[0]
    patient_id = None
    if membership.role == Role.PATIENT:
        from telept.patients.models import Patient  # local: patients depends on accounts

        patient_id = (
            Patient.objects.filter(user=user, practice_id=membership.practice_id)
            .values_list("id", flat=True).first()
        )
    return Actor(user=user, membership=membership, patient_id=patient_id)
