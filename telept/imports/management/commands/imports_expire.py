"""Clear the parsed rows of patient imports left unapplied past their keep time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from telept.imports.services import IMPORT_KEEP, imports_expire


class Command(BaseCommand):
    help = f"Expire patient imports not applied within {IMPORT_KEEP} (their rows are cleared)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{imports_expire()} import(s) expired.")
