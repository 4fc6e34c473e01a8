"""`manage.py score_measure CODE --answers 1,5,4,...`: score one questionnaire, print JSON.

An empty entry in --answers marks an unanswered item (`--answers 1,5,,4,...`). This command
line is a stable interface; the logic lives in `telept.clinical.measures.cli`.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from telept.clinical.measures import MEASURES
from telept.clinical.measures.cli import CommandInputError, render, score_command


class Command(BaseCommand):
    help = "Score an outcome measure from comma-separated answers and print JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help=f"One of: {' '.join(MEASURES)}")
        parser.add_argument(
            "--answers",
            required=True,
            help="Comma-separated item answers in order; leave an entry empty if unanswered.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            payload = score_command(code=options["code"], answers_text=options["answers"])
        except CommandInputError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(render(payload=payload))
