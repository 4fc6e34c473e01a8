"""STOP/START replies, by function and through the signed Twilio webhook."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import pytest
from django.urls import reverse

from telept.conftest import Cast
from telept.notifications.models import SmsMessage, SmsOptOut
from telept.notifications.services import sms_inbound, sms_send

pytestmark = pytest.mark.urls("telept.notifications.tests.urls")
NUMBER = "+12125550123"


@pytest.mark.parametrize("body", ["STOP", "stop", "Unsubscribe", "cancel", "END", "quit",
                                  "StopAll"])
def test_a_stop_keyword_opts_the_number_out_and_texts_are_skipped(db: Any, body: str) -> None:
    assert sms_inbound(from_number="(212) 555-0123", body=body) == "opt_out"
    assert SmsOptOut.objects.filter(phone=NUMBER).exists()

    message = sms_send(to=NUMBER, body="Your visit is tomorrow", purpose="reminder_24h")
    assert (message.status, message.error) == (SmsMessage.Status.SKIPPED, "opted_out")


@pytest.mark.parametrize("body", ["START", "unstop", "Yes"])
def test_a_start_keyword_opts_the_number_back_in(db: Any, body: str) -> None:
    sms_inbound(from_number=NUMBER, body="STOP")
    assert sms_inbound(from_number=NUMBER, body=body) == "opt_in"
    assert not SmsOptOut.objects.exists()
    assert sms_send(to=NUMBER, body="hi", purpose="test").status == SmsMessage.Status.SENT


def test_stop_twice_keeps_one_record_and_other_words_change_nothing(db: Any) -> None:
    sms_inbound(from_number=NUMBER, body="STOP")
    sms_inbound(from_number=NUMBER, body="stop")
    assert sms_inbound(from_number=NUMBER, body="see you tomorrow") is None
    assert SmsOptOut.objects.count() == 1


def test_an_opt_out_does_not_silence_other_numbers(db: Any) -> None:
    sms_inbound(from_number=NUMBER, body="STOP")
    assert sms_send(to="+12125550199", body="hi", purpose="test").status == "sent"


def _sign(url: str, params: dict[str, str], token: str) -> str:
    payload = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), payload.encode(),
                                     hashlib.sha1).digest()).decode()


def test_the_twilio_webhook_honours_a_signed_stop(cast: Cast, settings: Any) -> None:
    settings.TWILIO_AUTH_TOKEN = "test-auth-token"
    settings.SITE_URL = "https://clinic.example.test"
    path = reverse("notifications:sms_inbound_twilio")
    params = {"From": NUMBER, "To": "+12125550100", "Body": "Stop", "MessageSid": "SM1"}
    response = cast.client(None).post(
        path, params, HTTP_X_TWILIO_SIGNATURE=_sign(settings.SITE_URL + path, params,
                                                    "test-auth-token"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert SmsOptOut.objects.filter(phone=NUMBER).exists()


@pytest.mark.parametrize("token", ["test-auth-token", ""])
def test_the_twilio_webhook_refuses_an_unsigned_or_forged_request(
        cast: Cast, settings: Any, token: str) -> None:
    settings.TWILIO_AUTH_TOKEN = token
    path = reverse("notifications:sms_inbound_twilio")
    params = {"From": NUMBER, "Body": "START"}
    SmsOptOut.objects.create(phone=NUMBER, keyword="STOP")
    response = cast.client(None).post(path, params,
                                      HTTP_X_TWILIO_SIGNATURE=_sign(path, params, "wrong"))
    assert response.status_code == 403
    assert SmsOptOut.objects.filter(phone=NUMBER).exists()
