"""Where a validated 837P goes once offered: one module per transport, registered here
explicitly (STYLE 11). The folder backend is the default: a drop folder a clearinghouse
client (or an SFTP sync) picks files up from."""

from __future__ import annotations

from django.conf import settings

from telept.billing.transport.base import Transport, TransportError
from telept.billing.transport.folder import FolderTransport

__all__ = ["FolderTransport", "Transport", "TransportError", "transport_default"]


def transport_default() -> Transport:
    """The configured transport: BILLING_CLAIMS_OUTBOX (a folder) or, unset,
    TELEPT_VAR_DIR/claims-outbox."""
    folder = getattr(settings, "BILLING_CLAIMS_OUTBOX", None) or settings.VAR_DIR / "claims-outbox"
    return FolderTransport(folder)
