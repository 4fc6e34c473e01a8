"""An 835 upload refused before it is spooled or parsed when it is too large (Issue 10, "an
oversized upload -> a clear error, nothing posted").

Two doors, both before any byte of the file is kept:
- the request's Content-Length: past the 835's limit plus room for the multipart framing and
  the form's other fields, the body is never read (`declared_size`);
- while reading: `Capped835Upload` is the only upload handler of the 835 views, so no later
  handler can spool the file to a temporary file on disk; it keeps the file in memory up to
  the limit and, past it, skips the rest and notes it on the request
  (`request.remittance_too_large`), so the view answers a field error (page) or a 413 (API).

The views set the handler before anything reads the body: the page is CSRF-exempt outside
and CSRF-protected inside, as Django documents for changing upload handlers.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopFutureHandlers
from django.http import HttpRequest

from telept.billing.services.remittance import MAX_835_BYTES

# The multipart boundaries and part headers, the CSRF token: a few hundred bytes in practice.
MULTIPART_SLACK = 64 * 1024
MAX_REQUEST_BYTES = MAX_835_BYTES + MULTIPART_SLACK


def declared_size(request: HttpRequest) -> int:
    """The body size the request announces (0 when it announces none or nonsense)."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def declared_too_large(request: HttpRequest) -> bool:
    return declared_size(request) > MAX_REQUEST_BYTES


class Capped835Upload(FileUploadHandler):
    """Holds an uploaded 835 in memory up to MAX_835_BYTES; never hands it on to a handler
    that spools to disk. Past the limit the rest of the file is skipped."""

    def __init__(self, request: HttpRequest, limit: int = MAX_835_BYTES) -> None:
        super().__init__(request)
        self.limit = limit
        self.buffer = BytesIO()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = BytesIO()
        raise StopFutureHandlers()  # the file is ours alone: no temporary file on disk

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.limit:
            self.buffer = BytesIO()
            self.request.remittance_too_large = True  # type: ignore[union-attr]
            raise SkipFile()
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer, field_name=self.field_name, name=self.file_name,
            content_type=self.content_type, size=file_size, charset=self.charset,
            content_type_extra=self.content_type_extra)


def install(request: HttpRequest) -> None:
    """Make `Capped835Upload` the request's only upload handler (before the body is read)."""
    request.upload_handlers = [Capped835Upload(request)]


def too_large_while_reading(request: HttpRequest) -> bool:
    return bool(getattr(request, "remittance_too_large", False))
