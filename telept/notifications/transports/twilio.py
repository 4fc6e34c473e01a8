"""Twilio's Messages REST API over plain HTTPS (no SDK dependency)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
import urllib.request

from django.conf import settings


class TwilioTransport:
    name = "twilio"

    def send(self, *, to: str, body: str) -> str:
        sid, token = settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN
        if not (sid and token and settings.TWILIO_FROM_NUMBER):
            raise RuntimeError("Twilio is not configured (TWILIO_ACCOUNT_SID, "
                               "TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER).")
        url = f"https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json"
        data = urllib.parse.urlencode(
            {"To": to, "From": settings.TWILIO_FROM_NUMBER, "Body": body}).encode()
        request = urllib.request.Request(url, data=data, method="POST")  # noqa: S310 - fixed https URL
        auth = base64.b64encode(f"{sid}:{token}".encode()).decode()
        request.add_header("Authorization", f"Basic {auth}")
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return str(json.load(response).get("sid", ""))


def signature_valid(*, url: str, params: dict[str, str], signature: str,
                    auth_token: str) -> bool:
    """Twilio's X-Twilio-Signature check for a form-encoded webhook: base64 HMAC-SHA1 of
    the full URL followed by each POST parameter name and value, sorted by name."""
    if not (auth_token and signature):
        return False
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return hmac.compare_digest(base64.b64encode(digest).decode(), signature)
