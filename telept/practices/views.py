"""Practice administration: staff, roles, invitations."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from telept.accounts import services as account_services
from telept.accounts.forms import InviteForm, RoleForm
from telept.accounts.roles import Role
from telept.accounts.web import actor_required
from telept.lib.errors import DomainError, NotFound
from telept.practices import selectors


@actor_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def staff(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.invitation_create(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("practices:staff")
    return render(request, "practices/staff.html", {
        "form": form,
        "members": selectors.staff_members(actor=actor),
        "invitations": selectors.open_invitations(actor=actor),
        "providers": selectors.provider_list(actor=actor),
        "role_choices": RoleForm.base_fields["role"].choices,  # type: ignore[attr-defined]
    }, status=400 if form.errors else 200)


@actor_required(Role.ADMIN)
@require_POST
def member_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a valid role.")
        return redirect("practices:staff")
    try:
        account_services.membership_set_role(
            actor=request.actor, membership_id=membership_id,  # type: ignore[attr-defined]
            role=form.cleaned_data["role"], active=form.cleaned_data["active"])
    except NotFound:
        raise  # another practice's member: 404, like every record not yours (item 24)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Role updated.")
    return redirect("practices:staff")
