"""The recordings folder: an upload is written under a temporary name and takes its place
only when its row commits; a sweep removes what a crash left behind.

Must hold (Issue 16 item 15): a video in its place has a row. Until the row commits the
file is `.partial-<token>.<ext>` at the top of RECORDINGS_ROOT; on commit it is moved to
the row's name `<YYYY>/<MM>/<token>.<ext>` with os.replace (atomic on one filesystem). A
failure inside the upload removes the partial at once. What no code path can clean up (the
process killed mid-upload, a transaction of the caller's that rolled back) is removed by
`recordings_sweep`, which the worker runs on its periodic pass: partials and row-less
videos older than ORPHAN_AGE. A partial whose row did commit (the process died between the
commit and the move) is moved into place instead: the row is the truth.

Only names of the two shapes above are ever touched, so a misconfigured RECORDINGS_ROOT
pointing at other files loses nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from telept.exercises.models import Recording, recording_storage

logger = logging.getLogger(__name__)

PARTIAL_PREFIX = ".partial-"
ORPHAN_AGE = dt.timedelta(hours=1)
BATCH = 500
_FILE_NAME = r"[0-9a-f]{32}\.(?:webm|mp4)"
_PARTIAL = re.compile(rf"\.partial-(?P<name>{_FILE_NAME})")
_STORED = re.compile(rf"\d{{4}}/\d{{2}}/{_FILE_NAME}")


def _root() -> Path:
    return Path(recording_storage().location)


def final_name(*, token: str, extension: str, now: dt.datetime) -> str:
    """The row's file name (relative to RECORDINGS_ROOT)."""
    return f"{now:%Y/%m}/{token}.{extension}"


def partial_write(upload: UploadedFile, *, token: str, extension: str) -> Path:
    """Write the upload to `.partial-<token>.<ext>` (readable by this user only)."""
    root = _root()
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"{PARTIAL_PREFIX}{token}.{extension}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def partial_discard(partial: Path) -> None:
    partial.unlink(missing_ok=True)


def partial_commit(partial: Path, name: str) -> None:
    """Move the partial to the committed row's name (run on commit). A failure is logged,
    not raised (the row is committed and the request must not fail now): the partial stays,
    and the next sweep moves it into place."""
    try:
        target = Path(recording_storage().path(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial, target)
    except OSError:
        logger.exception("could not move recording %s into place; the sweep will", name)


@dataclass(frozen=True, slots=True)
class SweepReport:
    removed: int
    restored: int


def _files(root: Path) -> Iterator[tuple[str, Path, float]]:
    """(name relative to root, path, mtime) of each regular file; links are not followed."""
    for folder, _dirs, files in os.walk(root, followlinks=False):
        for file in files:
            path = Path(folder) / file
            try:
                info = path.lstat()
            except FileNotFoundError:
                continue
            if stat.S_ISREG(info.st_mode):
                yield path.relative_to(root).as_posix(), path, info.st_mtime


def _remove(path: Path, why: str) -> int:
    try:
        path.unlink()
    except FileNotFoundError:
        return 0
    logger.info("recordings sweep: removed %s (%s)", path, why)
    return 1


def recordings_sweep(*, now: dt.datetime | None = None,
                     max_age: dt.timedelta = ORPHAN_AGE) -> SweepReport:
    """Remove partials and videos with no row older than ``max_age``; move a partial whose
    row committed into place. Safe to run while uploads go on (younger files are left) and
    from several workers at once."""
    root = _root()
    if not root.is_dir():
        return SweepReport(removed=0, restored=0)
    cutoff = (now or timezone.now()).timestamp() - max_age.total_seconds()
    removed = restored = 0
    stored: list[tuple[str, Path]] = []
    for name, path, mtime in _files(root):
        partial = _PARTIAL.fullmatch(name)
        if partial is not None:
            row = (Recording.objects.filter(file__endswith=f"/{partial['name']}")
                   .values_list("file", flat=True).first())
            if row is not None and not Path(recording_storage().path(row)).exists():
                partial_commit(path, row)
                restored += not path.exists()
            elif mtime < cutoff:
                removed += _remove(path, "an upload that never committed")
        elif _STORED.fullmatch(name) and mtime < cutoff:
            stored.append((name, path))
    for start in range(0, len(stored), BATCH):
        batch = dict(stored[start:start + BATCH])
        known = set(Recording.objects.filter(file__in=list(batch))
                    .values_list("file", flat=True))
        for name, path in batch.items():
            if name not in known:
                removed += _remove(path, "a video with no recording")
    return SweepReport(removed=removed, restored=restored)
