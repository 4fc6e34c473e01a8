"""Which recordings are accepted, and how long they last (pure; no Django imports).

The browser's Content-Type and the file name are never trusted: the first bytes decide the
type (a WebM EBML header, or an MP4 `ftyp` box with a video brand), and the container's own
timestamps decide the length. Browser-recorded WebM has no Duration element, so the length
is read from the cluster and block timecodes, skipping every payload: a 50 MB file costs a
few thousand small reads.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

from telept.exercises.uploads import SNIFF_BYTES, sniff

MB = 1024 * 1024
def _(text: str) -> str:
    """Marks a patient-facing sentence for the Spanish catalogue (translated by the caller)."""
    return text


UNREADABLE = _("This video could not be played back. Record the set again.")
EXTENSIONS = {"video/webm": "webm", "video/mp4": "mp4"}


class RecordingRefused(ValueError):
    """A file that is not stored; ``code`` is stable, ``message`` is for the patient (in
    English; ``template`` and ``values`` let a caller with Django say it in the reader's
    language: `telept.exercises.recordings.services.refusal_message`)."""

    def __init__(self, code: str, message: str, values: dict[str, str] | None = None) -> None:
        self.code = code
        self.template = message
        self.values = values or {}
        self.message = message % self.values if values else message
        super().__init__(self.message)


@dataclass(frozen=True, slots=True)
class RecordingType:
    content_type: str
    extension: str


def recording_type(*, head: bytes, size: int, max_bytes: int) -> RecordingType:
    """Accept a WebM or MP4 video of 1 byte to ``max_bytes``, by its contents."""
    if size <= 0:
        raise RecordingRefused("recording_empty", _("The recording is empty: record again."))
    if size > max_bytes:
        raise RecordingRefused("recording_too_large", _(
            "Recordings can be at most %(most)s MB; this one is %(size)s MB. Record a "
            "shorter set."), {"most": f"{max_bytes / MB:.3g}", "size": f"{size / MB:.1f}"})
    found = sniff(head[:SNIFF_BYTES])
    if found not in EXTENSIONS:
        raise RecordingRefused("recording_type", _(
            "This file is not a WebM or MP4 video. Record the set on this page, or choose a "
            "video file."))
    return RecordingType(content_type=found, extension=EXTENSIONS[found])


# --- what the container states (Issue 16 item 14) ----------------------------------------

# FFmpeg's codec names of what browsers record (Chrome/Firefox: VP8, VP9, AV1 in WebM;
# Safari: H.264 in MP4), with the name a patient may recognise.
CODECS = {"vp8": "VP8", "vp9": "VP9", "h264": "H.264", "av1": "AV1"}
OTHER_CODECS = {"mpeg4": "MPEG-4 Part 2", "hevc": "HEVC (H.265)", "mjpeg": "Motion JPEG",
                "h263": "H.263", "theora": "Theora", "prores": "ProRes"}


def video_check(*, width: int, height: int, codec: str, max_width: int,
                max_height: int) -> None:
    """Refuse a video by what its container states, before any frame is decoded: a size
    past ``max_width`` x ``max_height`` either way up (a phone held upright films 1080 x
    1920), or a codec browsers do not record in."""
    if width <= 0 or height <= 0:
        raise RecordingRefused("recording_unreadable", UNREADABLE)
    if max(width, height) > max(max_width, max_height) \
            or min(width, height) > min(max_width, max_height):
        raise RecordingRefused(
            "recording_dimensions", f"This video is {width} x {height} pixels; recordings "
            f"can be at most {max_width} x {max_height} (or {max_height} x {max_width}). "
            "Record the set on this page, or choose a smaller video.")
    if codec not in CODECS:
        name = OTHER_CODECS.get(codec, codec.upper() or "an unknown format")
        raise RecordingRefused(
            "recording_codec", f"This video is encoded as {name}; recordings must be "
            f"{', '.join(list(CODECS.values())[:-1])} or {list(CODECS.values())[-1]}. "
            "Record the set on this page, or save the video as H.264 MP4.")


# --- WebM (Matroska) ----------------------------------------------------------------------

SEGMENT, INFO, CLUSTER, BLOCK_GROUP = 0x18538067, 0x1549A966, 0x1F43B675, 0xA0
TIMECODE_SCALE, DURATION, CLUSTER_TIMECODE = 0x2AD7B1, 0x4489, 0xE7
SIMPLE_BLOCK, BLOCK = 0xA3, 0xA1
# Masters whose children are read in place (flattened): their size may be "unknown", as in
# a live browser recording, and the scan needs no end for them.
_ENTER = frozenset({SEGMENT, INFO, CLUSTER, BLOCK_GROUP})
MAX_ELEMENTS = 200_000  # a 2-minute set has ~10,000; more is not a browser recording


def _vint(handle: BinaryIO, *, marker: bool) -> tuple[int, bool] | None:
    """An EBML variable-length integer: (value, all value bits set = "unknown size")."""
    first = handle.read(1)
    if not first:
        return None
    byte = first[0]
    length = 1
    while length <= 8 and not byte & (0x80 >> (length - 1)):
        length += 1
    if length > 8:
        raise ValueError("bad EBML integer")
    rest = handle.read(length - 1)
    if len(rest) != length - 1:
        return None
    value = byte if marker else byte & (0xFF >> length)
    for b in rest:
        value = (value << 8) | b
    bits = 7 * length
    return value, (not marker and value == (1 << bits) - 1)


def _uint(data: bytes) -> int:
    return int.from_bytes(data, "big") if data else 0


def webm_duration(handle: BinaryIO) -> float | None:
    """Seconds from the first to the last block (or the declared Duration if longer);
    None when no timing is found. ValueError for a file too odd to be a recording."""
    scale, declared = 1_000_000, 0.0
    cluster_time: int | None = None
    first: int | None = None
    last: int | None = None
    handle.seek(0)
    for _ in range(MAX_ELEMENTS):
        element = _vint(handle, marker=True)
        size_read = _vint(handle, marker=False) if element else None
        if element is None or size_read is None:
            break
        element_id, (size, unknown) = element[0], size_read
        if element_id in _ENTER:
            continue
        if unknown:
            break  # an unknown-size element we cannot step over: stop with what we have
        start = handle.tell()
        if element_id == TIMECODE_SCALE and size <= 8:
            scale = _uint(handle.read(size)) or scale
        elif element_id == DURATION and size in (4, 8):
            declared = struct.unpack(">f" if size == 4 else ">d", handle.read(size))[0]
        elif element_id == CLUSTER_TIMECODE and size <= 8:
            cluster_time = _uint(handle.read(size))
        elif element_id in (SIMPLE_BLOCK, BLOCK) and cluster_time is not None \
                and _vint(handle, marker=False) is not None:  # skip the track number
            raw = handle.read(2)  # the block's time, relative to its cluster
            if len(raw) == 2:
                t = cluster_time + struct.unpack(">h", raw)[0]
                first = t if first is None else min(first, t)
                last = t if last is None else max(last, t)
        handle.seek(start + size)
    else:
        raise ValueError("too many elements")
    from_blocks = (last - first) * scale / 1e9 if first is not None and last is not None \
        else 0.0
    declared_s = declared * scale / 1e9 if declared == declared and declared > 0 else 0.0
    found = max(from_blocks, declared_s)
    return found if found > 0 else None


# --- MP4 (ISO base media) -----------------------------------------------------------------

def _boxes(handle: BinaryIO, end: int) -> list[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of the boxes between here and ``end``."""
    found: list[tuple[bytes, int, int]] = []
    while handle.tell() + 8 <= end and len(found) < 1000:
        start = handle.tell()
        header = handle.read(8)
        if len(header) < 8:
            break
        size, kind = struct.unpack(">I4s", header)
        offset = 8
        if size == 1:
            size = _uint(handle.read(8))
            offset = 16
        elif size == 0:
            size = end - start
        if size < offset:
            break
        found.append((kind, start + offset, min(start + size, end)))
        handle.seek(start + size)
    return found


def mp4_duration(handle: BinaryIO) -> float | None:
    """The movie header's duration (or the fragmented movie's `mehd`); None when zero or
    absent (then OpenCV's count of frames is the fallback)."""
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(0)
    for kind, start, end in _boxes(handle, size):
        if kind != b"moov":
            continue
        handle.seek(start)
        timescale = 0
        for inner, istart, iend in _boxes(handle, end):
            handle.seek(istart)
            if inner == b"mvhd":
                version = handle.read(4)[:1]
                if version == b"\x01":
                    handle.read(16)
                    timescale, duration = struct.unpack(">IQ", handle.read(12))
                else:
                    handle.read(8)
                    timescale, duration = struct.unpack(">II", handle.read(8))
                if timescale and duration and duration != 0xFFFFFFFF:
                    return float(duration / timescale)
            elif inner == b"mvex" and timescale:
                for leaf, lstart, _ in _boxes(handle, iend):
                    if leaf == b"mehd":
                        handle.seek(lstart)
                        version = handle.read(4)[:1]
                        raw = handle.read(8 if version == b"\x01" else 4)
                        return _uint(raw) / timescale or None
            handle.seek(iend)
        return None
    return None


def container_duration(*, handle: BinaryIO, content_type: str) -> float | None:
    """Seconds of video the container states, or None when it does not say."""
    try:
        if content_type == "video/webm":
            return webm_duration(handle)
        return mp4_duration(handle)
    except (ValueError, struct.error, OverflowError) as exc:
        raise RecordingRefused("recording_unreadable", UNREADABLE) from exc
