"""Sending texts. Every attempt is recorded with its outcome."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from telept.notifications.models import SmsMessage
from telept.notifications.transports import TRANSPORTS


def sms_send(*, to: str, body: str, purpose: str) -> SmsMessage:
    """Record and send one text through the configured transport. A transport failure is
    recorded as `failed` with its reason rather than raised: the caller's workflow goes on."""
    transport = TRANSPORTS[settings.SMS_TRANSPORT]
    message = SmsMessage.objects.create(to=to, body=body, purpose=purpose,
                                        transport=transport.name)
    try:
        message.provider_id = transport.send(to=to, body=body)
    except Exception as exc:  # noqa: BLE001 - any transport failure is recorded, not fatal
        message.status = SmsMessage.Status.FAILED
        message.error = str(exc)[:300]
    else:
        message.status = SmsMessage.Status.SENT
        message.sent_at = timezone.now()
    message.save(update_fields=["provider_id", "status", "error", "sent_at"])
    return message
