"""Compile the translation catalogues (.po -> .mo) with polib: no gettext needed.

`make messages` runs `makemessages` (which needs GNU gettext) and then this; the .mo files
are committed, and telept/tests/test_translation_catalogue.py checks they match the .po.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile every .po under LOCALE_PATHS to its .mo with polib."

    def handle(self, *args: Any, **options: Any) -> None:
        for root in settings.LOCALE_PATHS:
            for po_path in sorted(Path(root).glob("*/LC_MESSAGES/*.po")):
                po = polib.pofile(str(po_path))
                po.save_as_mofile(str(po_path.with_suffix(".mo")))
                self.stdout.write(f"{po_path.with_suffix('.mo')}: {len(po.translated_entries())} "
                                  f"messages, {po.percent_translated()}% translated")
