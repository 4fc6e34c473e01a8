"""`manage.py smart_client`: register a SMART client.

    smart_client backend --practice riverside --name "Data warehouse" --jwks jwks.json \
        [--scopes "system/*.rs"] [--role pt]          -> prints the client id
    smart_client app --name "My Knee Tracker" --redirect-uri https://app.example/cb \
        [--confidential]                              -> prints the client id (and secret)

A backend client's JWKS holds only public keys (RS384 or ES384); it signs its token
requests with the private half, which never reaches TelePT.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from telept.fhir.smart import (
    APP_DEFAULT_SCOPES,
    BACKEND_DEFAULT_SCOPES,
    BadRegistration,
    app_register,
    backend_client_register,
)
from telept.practices.models import Practice


class Command(BaseCommand):
    help = "Register a SMART backend client (signed JWT) or an app people authorise."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True)
        backend = sub.add_parser("backend", help="A backend-services client of one practice")
        backend.add_argument("--practice", required=True, help="Practice slug")
        backend.add_argument("--name", required=True)
        backend.add_argument("--jwks", required=True, help="File with the public JWKS (JSON)")
        backend.add_argument("--scopes", default=BACKEND_DEFAULT_SCOPES)
        backend.add_argument("--role", default="pt",
                             help="Staff role whose read scope it follows (default pt)")
        app = sub.add_parser("app", help="An app a patient or staff member authorises")
        app.add_argument("--name", required=True)
        app.add_argument("--redirect-uri", action="append", required=True)
        app.add_argument("--scopes", default=APP_DEFAULT_SCOPES)
        app.add_argument("--confidential", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["kind"] == "backend":
                practice = Practice.objects.filter(slug=options["practice"]).first()
                if practice is None:
                    raise CommandError(f"No practice with slug {options['practice']!r}.")
                try:
                    jwks = json.loads(Path(options["jwks"]).read_text())
                except (OSError, ValueError) as exc:
                    raise CommandError(f"Cannot read the JWKS: {exc}") from exc
                client = backend_client_register(
                    practice_id=practice.pk, name=options["name"], jwks=jwks,
                    allowed_scopes=options["scopes"], role=options["role"])
                self.stdout.write(client.client_id)
                return
            app, secret = app_register(name=options["name"],
                                       redirect_uris=options["redirect_uri"],
                                       confidential=options["confidential"],
                                       allowed_scopes=options["scopes"])
            self.stdout.write(app.client_id)
            if secret:
                self.stdout.write(secret)
        except BadRegistration as exc:
            raise CommandError(exc.message) from exc
