"""Which exercise media files are accepted (pure; no Django imports).

A file is accepted only when three things agree: its extension, the type its first bytes
announce (content sniffing, never the browser's Content-Type header), and a size limit for
that type. Images: JPEG, PNG, WebP up to 5 MB. Video: MP4 (ISO base media with a video
brand) and WebM up to 25 MB. SVG, HTML and anything else are refused: the files are served
back to patients' browsers, so nothing that can carry script is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MB = 1024 * 1024
IMAGE_MAX_BYTES = 5 * MB
VIDEO_MAX_BYTES = 25 * MB
SNIFF_BYTES = 64

# extension -> the content type the bytes must show
EXTENSIONS = {
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp",
    "mp4": "video/mp4", "m4v": "video/mp4", "webm": "video/webm",
}
# ISO base media "major brands" of ordinary MP4 video (not QuickTime, HEIC or AVIF images).
MP4_BRANDS = frozenset({b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42",
                        b"avc1", b"M4V ", b"M4VP", b"dash", b"mmp4", b"MSNV"})


class MediaRefused(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class MediaType:
    kind: str  # "image" | "video"
    content_type: str
    extension: str
    max_bytes: int


def sniff(head: bytes) -> str | None:
    """The content type the first bytes show, or None for anything not accepted."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in MP4_BRANDS:
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:SNIFF_BYTES]:
        return "video/webm"
    return None


def media_check(*, filename: str, head: bytes, size: int) -> MediaType:
    """Accept or refuse an upload; MediaRefused carries a stable code and a sentence."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    expected = EXTENSIONS.get(extension)
    if expected is None:
        raise MediaRefused("media_extension", "Upload a .jpg, .png or .webp image, or an "
                           ".mp4 or .webm video.")
    if size <= 0:
        raise MediaRefused("media_empty", "The file is empty.")
    found = sniff(head)
    if found is None:
        raise MediaRefused("media_unrecognised", "The file's contents are not a JPEG, PNG, "
                           "WebP, MP4 or WebM file.")
    if found != expected:
        raise MediaRefused("media_mismatch", f"The file is named .{extension} but its contents "
                           f"are {found}.")
    kind = found.split("/", 1)[0]
    limit = IMAGE_MAX_BYTES if kind == "image" else VIDEO_MAX_BYTES
    if size > limit:
        raise MediaRefused("media_too_large", f"{'Images' if kind == 'image' else 'Videos'} "
                           f"can be at most {limit // MB} MB; this file is "
                           f"{size / MB:.1f} MB.")
    return MediaType(kind=kind, content_type=found, extension=extension, max_bytes=limit)



_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*(?:,.*)?$", re.IGNORECASE)


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The byte range a `Range: bytes=...` header asks of a file of `size` bytes, as
    inclusive (start, end), for video seeking (Safari plays MP4 only with ranges).

    None when there is no usable range (serve the whole file, as RFC 9110 allows); ValueError
    when the range lies outside the file (answer 416). Only the first of several is served.
    """
    match = _RANGE.match(header or "")
    if not match or not (match[1] or match[2]):
        return None
    if not match[1]:  # "bytes=-500": the last 500 bytes
        length = int(match[2])
        if length == 0 or size == 0:
            raise ValueError("empty suffix range")
        return max(0, size - length), size - 1
    start = int(match[1])
    if match[2] and int(match[2]) < start:
        return None
    if start >= size:
        raise ValueError("range starts after the end of the file")
    end = int(match[2]) if match[2] else size - 1
    return start, min(end, size - 1)
