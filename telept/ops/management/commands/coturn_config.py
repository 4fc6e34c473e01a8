"""`manage.py coturn_config > /etc/turnserver.conf`: coturn's configuration from our settings
(TURN_SECRET, the ports in TURN_URLS, the realm from SITE_URL)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from telept.ops.coturn import CoturnOptions, coturn_config, default_realm


class Command(BaseCommand):
    help = "Print coturn's turnserver.conf generated from TelePT's settings."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--realm", default="", help="Default: SITE_URL's host name.")
        parser.add_argument("--listening-ip", default="")
        parser.add_argument("--external-ip", default="",
                            help="The public address, when coturn is behind NAT.")
        parser.add_argument("--cert", default="", help="TLS certificate (turns:).")
        parser.add_argument("--pkey", default="", help="TLS private key (turns:).")
        parser.add_argument("--min-port", type=int, default=49152)
        parser.add_argument("--max-port", type=int, default=65535)

    def handle(self, *args: Any, realm: str, listening_ip: str, external_ip: str, cert: str,
               pkey: str, min_port: int, max_port: int, **options: Any) -> None:
        try:
            text = coturn_config(CoturnOptions(
                realm=realm or default_realm(), listening_ip=listening_ip,
                external_ip=external_ip, cert=cert, pkey=pkey, min_port=min_port,
                max_port=max_port))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(text, ending="")
