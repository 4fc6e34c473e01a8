"""Which files a secure message may carry (pure).

A file is accepted only when its extension, the type its first bytes show (content
sniffing, never the browser's Content-Type) and the size limit agree. Accepted: PDF
documents and JPEG, PNG or WebP pictures (a photo of a swollen ankle, a referral letter),
up to 10 MB each and 3 per message. Anything that can carry script (SVG, HTML, Office
files with macros) or hide another type is refused: these files are served back to other
people's browsers. They are stored outside the web root and served only through an
authorised view, always as a download.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024
MAX_BYTES = 10 * MB
MAX_FILES = 3
SNIFF_BYTES = 16

EXTENSIONS = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg",
              "png": "image/png", "webp": "image/webp"}


class AttachmentRefused(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class AttachmentType:
    content_type: str
    extension: str


def sniff(head: bytes) -> str | None:
    """The content type the first bytes show, or None for anything not accepted."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def attachment_check(*, filename: str, head: bytes, size: int) -> AttachmentType:
    """Accept or refuse one file; `AttachmentRefused` carries a stable code and a sentence."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    expected = EXTENSIONS.get(extension)
    if expected is None:
        raise AttachmentRefused("attachment_type", "Attach a PDF, or a JPEG, PNG or WebP "
                                "picture.")
    if size <= 0:
        raise AttachmentRefused("attachment_empty", f"{filename} is empty.")
    if size > MAX_BYTES:
        raise AttachmentRefused("attachment_too_large", f"{filename} is {size / MB:.1f} MB; "
                                f"files can be at most {MAX_BYTES // MB} MB.")
    found = sniff(head)
    if found is None:
        raise AttachmentRefused("attachment_unrecognised", f"{filename} is not a PDF, JPEG, "
                                "PNG or WebP file.")
    if found != expected:
        raise AttachmentRefused("attachment_mismatch", f"{filename} is named .{extension} "
                                f"but its contents are {found}.")
    return AttachmentType(content_type=found, extension=extension)


def attachments_check_count(count: int) -> None:
    if count > MAX_FILES:
        raise AttachmentRefused("attachment_count", f"Attach at most {MAX_FILES} files to one "
                                "message.")


def safe_filename(name: str) -> str:
    """A display name without path parts or control characters (never used on disk)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')
    return cleaned.strip()[:120] or "attachment"
