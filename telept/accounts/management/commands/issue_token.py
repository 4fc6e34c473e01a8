from django.core.management.base import BaseCommand, CommandError

from telept.accounts.models import User
from telept.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create a personal API token for EMAIL and print the token alone."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("email")
        parser.add_argument("--name", default="issued from the command line")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        user = User.objects.filter(email__iexact=options["email"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with e-mail {options['email']!r}.")
        _, raw = api_token_create(user=user, name=options["name"])
        self.stdout.write(raw)
