"""Demo mode: today's balance class (seeded if missing) and how to join it."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from telept.groupvideo.demo import patient_links, seed_class


class Command(BaseCommand):
    help = "Seed today's demo balance class (4 patients) and print the host page and links."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--fresh", action="store_true",
                            help="Another class open now, hosted by the next free demo PT, "
                                 "with four patients not in a class then.")
        parser.add_argument("--provider", default="",
                            help="The hosting PT's e-mail (default: the first demo PT).")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("Demo data only: set TELEPT_DEMO=1.")
        try:
            demo = seed_class(fresh=options["fresh"], provider_email=options["provider"])
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        links = patient_links(demo)
        host = reverse("groupvideo:host", args=[demo.host.pk])
        if options["json"]:
            self.stdout.write(json.dumps({"host": host, "appointment": demo.host.pk,
                                          "host_email": demo.host.provider.user.email,
                                          "patients": [{"name": p.first_name, "path": path}
                                                       for p, path in links]}))
            return
        zone = ZoneInfo(demo.host.practice.time_zone)  # the practice's clock, as staff read it
        when = demo.host.start.astimezone(zone)
        self.stdout.write(f"Balance class at {when:%I:%M %p}: host page "
                          f"{settings.SITE_URL}{host} (sign in as {demo.host.provider.user.email})")
        for patient, path in links:
            self.stdout.write(f"  {patient.first_name} {patient.last_name}: "
                              f"{settings.SITE_URL}{path}")
