import json
from dataclasses import asdict

from django.core.management.base import BaseCommand

from telept.visits.demo import DEMO_PT, demo_links


class Command(BaseCommand):
    help = ("Links to a demo video visit happening now (made if needed): one for the "
            "therapist (in demo mode it signs the demo PT in, once) and one for the patient.")

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument("--provider", default=DEMO_PT, help="The therapist's e-mail.")
        parser.add_argument("--fresh", action="store_true",
                            help="Always make a new visit (tests and benchmarks).")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        links = demo_links(provider_email=options["provider"], fresh=options["fresh"])
        if options["json"]:
            self.stdout.write(json.dumps(asdict(links)))
            return
        self.stdout.write(f"Therapist: {links.therapist_url}")
        self.stdout.write(f"Patient:   {links.patient_url}")
