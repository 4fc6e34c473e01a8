"""Pages and webhooks of the notifications app: template preview and Twilio inbound."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from telept.accounts.roles import Role
from telept.accounts.web import actor_required
from telept.lib.errors import DomainError
from telept.notifications import selectors, services
from telept.notifications.forms import MessageTemplateForm
from telept.notifications.transports.twilio import signature_valid

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@actor_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def message_templates(request: HttpRequest) -> HttpResponse:
    """Every message as patients will see it (sample appointment); edit, preview, save."""
    actor, now = request.actor, timezone.now()  # type: ignore[attr-defined]
    form = MessageTemplateForm(request.POST or None)
    draft = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["action"] == "preview":
            draft = selectors.template_preview_draft(
                actor=actor, kind=data["kind"], channel=data["channel"],
                subject=data["subject"], body=data["body"], now=now)
        else:
            try:
                if data["action"] == "save":
                    services.message_template_save(actor=actor, kind=data["kind"],
                                                   channel=data["channel"],
                                                   subject=data["subject"], body=data["body"])
                else:
                    services.message_template_reset(actor=actor, kind=data["kind"],
                                                    channel=data["channel"])
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "Message template updated.")
                return redirect(request.path)
    return render(request, "notifications/message_templates.html", {
        "previews": selectors.template_previews(actor=actor, now=now),
        "draft": draft, "form": form,
    }, status=400 if form.errors else 200)


@csrf_exempt
@require_POST
def sms_inbound_twilio(request: HttpRequest) -> HttpResponse:
    """Twilio's inbound-message webhook: STOP/START replies. Refused unless signed with our
    auth token (an unsigned request could re-subscribe someone who opted out)."""
    params = {key: request.POST.get(key, "") for key in request.POST}
    url = settings.SITE_URL + request.get_full_path()
    if not signature_valid(url=url, params=params,
                           signature=request.headers.get("X-Twilio-Signature", ""),
                           auth_token=settings.TWILIO_AUTH_TOKEN):
        return HttpResponseForbidden("invalid signature")
    services.sms_inbound(from_number=params.get("From", ""), body=params.get("Body", ""))
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
