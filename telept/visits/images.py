"""Whiteboard images saved to the chart: decoded and bounded with Pillow, then re-encoded.

Why (Issue 16 item 10): the page posts a PNG of the shared canvas, but the endpoint is
reachable by anyone with a host's page key, and whatever is stored is shown in the chart.
Reading the header alone accepted an "8192x8192" header followed by HTML. So the image
must decode as a PNG, within `MAX_SIDE` pixels a side and `MAX_PNG_BYTES` bytes; its pixels
are decoded (a truncated or corrupt image is refused) and encoded again, so nothing the
upload carried besides the pixels (text chunks, bytes after the end) is ever stored. The
side limit bounds the memory a decode can take, and Pillow's decompression-bomb check is
made an error here.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError

from telept.lib.errors import DomainError

MAX_PNG_BYTES = 2_000_000
MAX_SIDE = 4096  # the canvas is 1280x720; a high-density screen doubles it at most
SIGNATURE = b"\x89PNG\r\n\x1a\n"
_MODES = frozenset({"1", "L", "LA", "P", "RGB", "RGBA"})


def _not_png() -> DomainError:
    return DomainError("not_png", "The whiteboard image is not a PNG.")


def png_normalise(data: bytes) -> tuple[bytes, int, int]:
    """`data` decoded as a PNG and encoded again: (png, width, height), or a refusal with
    code `too_large` or `not_png`."""
    if len(data) > MAX_PNG_BYTES:
        raise DomainError("too_large", "The whiteboard image is too large to save.")
    if not data.startswith(SIGNATURE):
        raise _not_png()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data), formats=["PNG"])
            width, height = image.size
            if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
                raise DomainError("too_large", f"The whiteboard image is larger than "
                                  f"{MAX_SIDE} x {MAX_SIDE} pixels.")
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError,
            Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _not_png() from None
    if image.mode not in _MODES:
        image = image.convert("RGBA")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)  # no pnginfo: no text chunks carried over
    return out.getvalue(), width, height
