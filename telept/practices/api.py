"""Who am I, and the practice's providers."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from telept.practices import selectors

router = Router(tags=["practice"])


class MeOut(Schema):
    user_id: int
    email: str
    full_name: str
    role: str
    practice_id: int
    practice_name: str
    patient_id: int | None


class PractitionerOut(Schema):
    id: int
    slug: str
    display_name: str
    credentials: str
    npi: str
    taxonomy: str
    licensed_states: list[str]


@router.get("/me", response=MeOut, summary="The signed-in token's identity and role")
def me(request: HttpRequest) -> dict[str, object]:
    actor = request.actor  # type: ignore[attr-defined]
    return {"user_id": actor.user_id, "email": actor.email, "full_name": actor.user.full_name,
            "role": actor.role, "practice_id": actor.practice_id,
            "practice_name": actor.membership.practice.name, "patient_id": actor.patient_id}


@router.get("/practitioners", response=list[PractitionerOut],
            summary="The practice's providers")
def practitioners(request: HttpRequest) -> object:
    return list(selectors.provider_list(actor=request.actor))  # type: ignore[attr-defined]
