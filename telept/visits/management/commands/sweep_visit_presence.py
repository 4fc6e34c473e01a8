"""`manage.py sweep_visit_presence`: end video-visit connections whose process is gone.

`run_worker` runs the same sweep in its periodic pass; this is for a deployment without the
worker, or to clean up by hand after a crash (see `telept.visits.presence`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from telept.visits.presence import presence_sweep


class Command(BaseCommand):
    help = "Mark video-visit seats whose connection was not seen lately as left."

    def handle(self, *args: Any, **options: Any) -> None:
        swept = presence_sweep()
        self.stdout.write(f"{swept} stale connection{'s' if swept != 1 else ''} ended")
