"""Destroy the Janus rooms of classes that ended, or whose time ended over an hour ago."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from telept.groupvideo.services import rooms_sweep


class Command(BaseCommand):
    help = "Destroy the VideoRooms of finished classes (run it every few minutes)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{rooms_sweep()} room(s) destroyed")
