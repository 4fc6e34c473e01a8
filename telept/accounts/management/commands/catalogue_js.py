"""Merge the patient scripts' strings into each djangojs.po (see telept.accounts.js_messages)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from telept.accounts.js_messages import catalogue_update


class Command(BaseCommand):
    help = "Add the patient JS strings to every djangojs.po, keeping translations."

    def handle(self, *args: Any, **options: Any) -> None:
        for root in settings.LOCALE_PATHS:
            for folder in sorted(Path(root).glob("*/LC_MESSAGES")):
                po = catalogue_update(folder / "djangojs.po")
                self.stdout.write(f"{folder / 'djangojs.po'}: {len(po)} strings, "
                                  f"{len(po.untranslated_entries())} to translate")
