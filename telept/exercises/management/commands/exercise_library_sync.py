from django.core.management.base import BaseCommand

from telept.exercises.builtin_library import builtin_sync
from telept.exercises.models import Exercise


class Command(BaseCommand):
    help = "Create or refresh the built-in exercise library from builtin_library.py."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        created, updated = builtin_sync(Exercise)
        self.stdout.write(f"Built-in exercise library: {created} created, {updated} updated.")
