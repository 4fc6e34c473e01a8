"""An upload handler that keeps the import file in memory, bounded: the file never touches
the disk (no temporary file to leave behind after a crash), and of a file over the limit only
the limit plus one byte is kept, and the form reports it as too large."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class BoundedMemoryUploadHandler(FileUploadHandler):
    def __init__(self, limit: int, request: Any = None) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.buffer = io.BytesIO()
        self.over = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        """Keep up to the limit plus one byte; count the rest (so the form can say how large
        the file was) without keeping it; stop reading a body past ten times the limit."""
        room = self.limit + 1 - self.buffer.tell()
        if room > 0:
            self.buffer.write(raw_data[:room])
        self.received += len(raw_data)
        if self.received > self.limit * 10:
            self.over = True
            raise StopUpload(connection_reset=False)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile | None:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer, field_name=self.field_name, name=self.file_name,
            content_type=self.content_type, size=self.received,
            charset=self.charset, content_type_extra=self.content_type_extra)
