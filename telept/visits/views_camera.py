"""The phone as a second camera (second_camera.py): the patient's page makes a pass (JSON,
with the QR code as inline SVG), the phone opens the QR's link or types the short code, and
the camera page fetches its WebSocket tickets with its own page key.

Views only adapt; `second_camera` decides.
"""

from __future__ import annotations

import io
import json

import qrcode
import qrcode.image.svg
from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from telept.lib.errors import DomainError
from telept.lib.middleware import client_ip
from telept.visits import access, second_camera
from telept.visits.access import Entry
from telept.visits.views import _keyed


def _qr_svg(text: str) -> str:
    """The QR code of `text` as inline SVG (made here: no image service sees the link)."""
    buffer = io.BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.find("<svg"):]


def _pretty(code: str) -> str:
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


@_keyed
def camera_pass(request: HttpRequest, entry: Entry) -> JsonResponse:
    """The patient's page asks for a pass for their phone (their own admitted seat only)."""
    minted = second_camera.pass_mint(entry=entry)
    url = request.build_absolute_uri(reverse("visits:camera_link",
                                             args=[minted.visit_id, minted.token]))
    return JsonResponse({"code": _pretty(minted.code), "url": url, "svg": _qr_svg(url),
                         "codeUrl": request.build_absolute_uri(reverse("visits:camera_code")),
                         "expiresIn": second_camera.PASS_SECONDS,
                         "expiresAt": minted.expires_at.isoformat()}, status=201)


@_keyed
def camera_ticket(request: HttpRequest, entry: Entry) -> JsonResponse:
    return JsonResponse(second_camera.camera_ticket(entry=entry))


def _camera_page(request: HttpRequest, entry: Entry) -> HttpResponse:
    seat = entry.participant
    key = access.page_key(entry)
    config = {"pid": seat.pk, "visit": seat.visit_id, "role": seat.role, "host": False,
              "name": seat.display_name,
              "ticketUrl": reverse("visits:camera_ticket", args=[key])}
    return render(request, "visits/camera.html", {
        "seat": seat, "practice": seat.visit.practice, "config_json": json.dumps(config)})


def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = exc.status if exc.status != 422 else 409
    return render(request, "visits/camera_refused.html",
                  {"message": exc.message, "code": exc.code}, status=status)


@require_http_methods(["GET", "POST"])
@never_cache
def camera_link(request: HttpRequest, visit_id: int, token: str) -> HttpResponse:
    """The QR's link. GET asks to start (a link preview must not spend the pass); POST
    spends it and opens the camera page."""
    if request.method == "GET":
        return render(request, "visits/camera_start.html", {})
    try:
        entry = second_camera.redeem_link(visit_id=visit_id, token=token)
    except DomainError as exc:
        return _refused(request, exc)
    return _camera_page(request, entry)


class CodeForm(forms.Form):
    code = forms.CharField(max_length=20, label=_("Code shown on the visit page"),
                           widget=forms.TextInput(attrs={
                               "autocomplete": "one-time-code", "autocapitalize": "characters",
                               "spellcheck": "false", "inputmode": "text"}))


@require_http_methods(["GET", "POST"])
@never_cache
def camera_code(request: HttpRequest) -> HttpResponse:
    """The phone types the short code (throttled per address)."""
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                entry = second_camera.redeem_code(code=form.cleaned_data["code"],
                                                  address=client_ip(request))
            except DomainError as exc:
                form.add_error("code", exc.message)
                status = 400 if exc.status in (404, 422) else exc.status
            else:
                return _camera_page(request, entry)
    response = render(request, "visits/camera_code.html", {"form": form}, status=status)
    if status == 429:
        response["Retry-After"] = str(int(second_camera.CODE_WINDOW.total_seconds()))
    return response
