"""Drop-folder transport: the file is written under a temporary name and renamed into place,
so a watcher never picks up half a file; an existing file of the same name is never
overwritten (control numbers are unique, so a clash means something is wrong)."""

from __future__ import annotations

import os
from pathlib import Path

from telept.billing.transport.base import TransportError


class FolderTransport:
    name = "folder"

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def send(self, *, filename: str, text: str) -> str:
        if "/" in filename or "\\" in filename or filename.startswith("."):
            raise TransportError(f"Not a plain file name: {filename!r}.")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            final = self.folder / filename
            if final.exists():
                raise TransportError(f"{final} exists already; nothing was overwritten.")
            partial = self.folder / f".{filename}.partial"
            partial.write_text(text, encoding="ascii")
            try:
                os.link(partial, final)  # fails rather than overwrite a file of that name
            finally:
                partial.unlink()
        except OSError as exc:
            raise TransportError(f"Could not write to {self.folder}: {exc}") from exc
        return str(final)
