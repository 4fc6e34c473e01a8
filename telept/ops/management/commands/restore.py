"""`manage.py restore FOLDER`: a backup into an EMPTY database (and empty file folders) only;
every hash is checked first and the restored row counts are compared with the backup's."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from telept.ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup FOLDER into the empty database DATABASE_URL names."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("folder", type=Path)

    def handle(self, *args: Any, folder: Path, **options: Any) -> None:
        try:
            result = backup_restore(folder=folder)
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"restored {result.tables} tables, {result.rows} rows and "
                          f"{result.files} files; row counts match the backup. Run "
                          "`manage.py migrate` (or start `manage.py serve`) to bring the "
                          "schema up to this release.")
