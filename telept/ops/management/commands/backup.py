"""`manage.py backup FOLDER`: database snapshot + media, recordings and claims outbox, with a
SHA-256 manifest; encrypted when TELEPT_BACKUP_KEY is set (see telept/ops/backup.py)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from telept.ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Write a consistent backup (database and files) into a new, empty FOLDER."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("folder", type=Path)

    def handle(self, *args: Any, folder: Path, **options: Any) -> None:
        try:
            result = backup_create(folder=folder)
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"backup written to {result.folder}: {result.tables} tables, "
                          f"{result.rows} rows, {result.files} files"
                          f"{', encrypted' if result.encrypted else ' (not encrypted)'}")
