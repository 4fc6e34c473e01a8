"""Sign-in pages: password + TOTP for staff, magic links for patients, tokens, invitations."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from telept.accounts import services
from telept.accounts.forms import (
    AcceptInvitationForm,
    CodeForm,
    LoginForm,
    MagicLinkForm,
    TokenForm,
)
from telept.accounts.middleware import SESSION_MFA_OK
from telept.accounts.models import ApiToken
from telept.accounts.web import SESSION_PRACTICE, actor_required
from telept.audit.services import audit_record
from telept.lib.errors import DomainError
from telept.lib.middleware import client_ip

BACKEND = "telept.accounts.backends.EmailBackend"
# A guarded sign-in between its two steps (see services, "Why the account is never locked").
SESSION_PENDING = "pending_signin"
SESSION_PENDING_TRIES = "pending_signin_tries"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return settings.LOGIN_REDIRECT_URL


def _sign_in(request: HttpRequest, user: object, *, how: str) -> HttpResponse:
    login(request, user, backend=BACKEND)  # type: ignore[arg-type]
    needs_mfa = services.user_needs_mfa(user)  # type: ignore[arg-type]
    request.session[SESSION_MFA_OK] = not needs_mfa
    request.session["next"] = _next_url(request)
    if needs_mfa:
        enrolled = services.totp_is_enrolled(user)  # type: ignore[arg-type]
        return redirect("accounts:mfa_verify" if enrolled else "accounts:mfa_setup")
    audit_record(actor=services._SystemActor(user=user), action="login",  # type: ignore[arg-type]
                 object_type="User", object_id=user.pk, detail={"how": how})  # type: ignore[attr-defined]
    return redirect(request.session.pop("next", settings.LOGIN_REDIRECT_URL))


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            result = services.login_with_password(
                request=request, email=form.cleaned_data["email"],
                password=form.cleaned_data["password"], ip=client_ip(request))
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status if exc.status == 429 else 400
        else:
            if isinstance(result, services.PendingSignIn):
                # A guarded account: the same answer whether the password was right.
                request.session.cycle_key()
                request.session[SESSION_PENDING] = result.as_session()
                request.session[SESSION_PENDING_TRIES] = 0
                request.session["next"] = _next_url(request)
                return redirect("accounts:login_confirm")
            return _sign_in(request, result, how="password")
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/login.html",
                  {"form": form, "next": _next_url(request)}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(actor=services._SystemActor(user=request.user),  # type: ignore[arg-type]
                     action="logout", object_type="User", object_id=request.user.pk)
    logout(request)
    messages.info(request, "You are signed out.")
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
def login_confirm(request: HttpRequest) -> HttpResponse:
    """The second step of a guarded sign-in (see services, "Why the account is never
    locked"): the page, and every wrong answer, look the same whether the password was right.
    After LOGIN_MAX_FAILURES wrong codes the attempt ends and the person starts again."""
    pending = services.PendingSignIn.from_session(request.session.get(SESSION_PENDING))
    if pending is None:
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_confirm_code(pending=pending, code=form.cleaned_data["code"],
                                               ip=client_ip(request))
        except DomainError as exc:
            return _end_half_sign_in(request, exc.message)
        if user is not None:
            next_url = request.session.get("next", settings.LOGIN_REDIRECT_URL)
            request.session.pop(SESSION_PENDING, None)
            login(request, user, backend=BACKEND)
            request.session[SESSION_MFA_OK] = True
            audit_record(actor=services._SystemActor(user=user), action="login",
                         object_type="User", object_id=user.pk,
                         detail={"how": "password+second_step"})
            return redirect(next_url)
        tries = int(request.session.get(SESSION_PENDING_TRIES, 0)) + 1
        request.session[SESSION_PENDING_TRIES] = tries
        if tries >= settings.LOGIN_MAX_FAILURES:
            return _end_half_sign_in(request, "Sign-in did not complete: the password or the "
                                     "code was not right. Start again.")
        form.add_error("code", "That did not work. Check the code (they change every 30 "
                       "seconds) or start again: the password may have been wrong.")
    return render(request, "accounts/login_confirm.html", {"form": form},
                  status=400 if form.errors else 200)


def _end_half_sign_in(request: HttpRequest, message: str) -> HttpResponse:
    """Sign out a session that has not finished signing in, back to the sign-in page."""
    if request.user.is_authenticated:
        audit_record(actor=services._SystemActor(user=request.user),  # type: ignore[arg-type]
                     action="logout", object_type="User", object_id=request.user.pk,
                     detail={"reason": "too_many_wrong_codes"})
    logout(request)
    messages.error(request, message)
    return redirect("accounts:login")


def _mfa_passed(request: HttpRequest) -> HttpResponse:
    request.session.cycle_key()
    request.session[SESSION_MFA_OK] = True
    audit_record(actor=services._SystemActor(user=request.user),  # type: ignore[arg-type]
                 action="login", object_type="User", object_id=request.user.pk,
                 detail={"how": "password+totp"})
    return redirect(request.session.pop("next", settings.LOGIN_REDIRECT_URL))


def _mfa_locked(request: HttpRequest) -> int:
    """Minutes left on the code lock of this account or address (0: open)."""
    seconds = services.mfa_lock_remaining(email=request.user.email,  # type: ignore[union-attr]
                                          ip=client_ip(request))
    return services._minutes(seconds) if seconds else 0


@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    if request.session.get(SESSION_MFA_OK):
        return redirect("home")
    if not services.totp_is_enrolled(request.user):  # type: ignore[arg-type]
        return redirect("accounts:mfa_setup")
    form = CodeForm(request.POST or None)
    try:
        locked_minutes = _mfa_locked(request)
        if locked_minutes:
            raise services.MfaLocked(locked_minutes)
        if request.method == "POST" and form.is_valid():
            if services.mfa_check(user=request.user, code=form.cleaned_data["code"],  # type: ignore[arg-type]
                                  ip=client_ip(request)):
                return _mfa_passed(request)
            form.add_error("code", "That code is not valid. Codes change every 30 seconds.")
    except services.MfaLocked as exc:
        return _end_half_sign_in(request, exc.message)
    return render(request, "accounts/mfa_verify.html", {"form": form},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    if services.totp_is_enrolled(request.user):  # type: ignore[arg-type]
        return redirect("accounts:mfa_verify" if not request.session.get(SESSION_MFA_OK)
                        else "home")
    device = services.totp_begin_enrolment(user=request.user)  # type: ignore[arg-type]
    form = CodeForm(request.POST or None)
    try:
        locked_minutes = _mfa_locked(request)
        if locked_minutes:
            raise services.MfaLocked(locked_minutes)
        if request.method == "POST" and form.is_valid():
            if services.mfa_check(user=request.user, code=form.cleaned_data["code"],  # type: ignore[arg-type]
                                  ip=client_ip(request)):
                messages.success(request, "Two-step sign-in is on.")
                return _mfa_passed(request)
            form.add_error("code", "That code is not valid. Check the time on your phone.")
    except services.MfaLocked as exc:
        return _end_half_sign_in(request, exc.message)
    uri = services.totp_uri(device)
    buffer = io.BytesIO()
    qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.find("<svg"):]
    return render(request, "accounts/mfa_setup.html",
                  {"form": form, "secret": device.secret, "uri": uri, "qr_svg": svg},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def magic_request(request: HttpRequest) -> HttpResponse:
    form = MagicLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # The same answer whatever happened: sent, unknown recipient, or a limit reached.
        services.magic_link_request(identifier=form.cleaned_data["identifier"],
                                    ip=client_ip(request))
        return render(request, "accounts/magic_sent.html")
    return render(request, "accounts/magic_request.html", {"form": form},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def magic_consume(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only POST uses the link, so mail scanners that prefetch links
    cannot burn a patient's single-use link."""
    if request.method == "POST":
        try:
            user = services.magic_link_consume(raw=token)
        except DomainError as exc:
            return render(request, "accounts/magic_invalid.html", {"message": exc.message},
                          status=400)
        return _sign_in(request, user, how="magic_link")
    return render(request, "accounts/magic_confirm.html")


@login_required
@require_http_methods(["GET", "POST"])
def password_set(request: HttpRequest) -> HttpResponse:
    user = request.user
    form_class = PasswordChangeForm if user.has_usable_password() else SetPasswordForm
    form = form_class(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        messages.success(request, "Your password is saved.")
        return redirect("home")
    return render(request, "accounts/password_set.html", {"form": form},
                  status=400 if form.errors else 200)


@actor_required()
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        _, raw = services.api_token_create(user=request.user, name=form.cleaned_data["name"])  # type: ignore[arg-type]
        form = TokenForm()
    rows = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(request, "accounts/tokens.html", {"form": form, "raw": raw, "tokens": rows},
                  status=400 if form.errors else 200)


@actor_required()
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    services.api_token_revoke(user=request.user, token_id=token_id)  # type: ignore[arg-type]
    messages.success(request, "The token is revoked.")
    return redirect("accounts:tokens")


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_find(raw=token)
    except DomainError as exc:
        return render(request, "error.html", {"title": "Invitation", "message": exc.message},
                      status=400)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.invitation_accept(raw=token, full_name=form.cleaned_data["full_name"],
                                          password=form.cleaned_data["password"])
        return _sign_in(request, user, how="invitation")
    return render(request, "accounts/invitation_accept.html",
                  {"form": form, "invitation": invitation},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def portal_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """A practice asks to link its patient record to the signed-in person's account
    (Issue 16 item 17): they accept or decline; only the addressee may answer."""
    user = request.user
    try:
        invitation = services.portal_invitation_find(raw=token, user=user)  # type: ignore[arg-type]
        if request.method == "POST":
            if request.POST.get("answer") == "accept":
                services.portal_invitation_accept(raw=token, user=user)  # type: ignore[arg-type]
                messages.success(request, gettext(
                    "Your account is now linked to %(practice)s's patient portal.")
                    % {"practice": invitation.practice.name})
                request.session[SESSION_PRACTICE] = invitation.practice_id
                return redirect("home")
            services.portal_invitation_decline(raw=token, user=user)  # type: ignore[arg-type]
            messages.info(request, gettext(
                "You declined. %(practice)s has not been linked to your account.")
                % {"practice": invitation.practice.name})
            return redirect("home")
    except DomainError as exc:
        return render(request, "error.html", {"title": gettext("Invitation"),
                                              "message": exc.message},
                      status=403 if exc.code == "invitation_not_yours" else 400)
    return render(request, "accounts/portal_invitation.html", {"invitation": invitation})
