from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from telept.practices.demo import (
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    LAKESIDE_STAFF,
    PORTAL_USERS,
    RIVERSIDE_STAFF,
    seed_demo,
)


class Command(BaseCommand):
    help = "Load the demo practices, staff and patients (idempotent; demo mode only)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if not settings.DEMO_MODE:
            raise CommandError("Demo data has well-known passwords: set TELEPT_DEMO=1 to load it.")
        seed_demo()
        from telept.scheduling.demo import seed_schedule

        seed_schedule()
        from telept.clinical.demo import seed_clinical

        seed_clinical()
        from telept.exercises.demo import seed_exercises

        seed_exercises()
        from telept.rtm.demo import seed_rtm  # after exercises: RTM counts the home program

        seed_rtm()
        if options["quiet"]:
            return
        out = self.stdout.write
        out("Demo data is loaded (Riverside Physical Therapy; Lakeside Rehab is the outsider).")
        out(f"Every demo account's password: {DEMO_PASSWORD}")
        out(f"Staff two-step codes come from the TOTP secret {DEMO_TOTP_SECRET}")
        out("  (add it to an authenticator app, or: .venv/bin/python -c "
            f"\"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_SECRET}').now())\")")
        out("  To skip staff MFA in demo mode only: TELEPT_DEMO_SKIP_MFA=1 make run")
        for seed in RIVERSIDE_STAFF + LAKESIDE_STAFF:
            out(f"  {seed.role.label:<36} {seed.email}")
        for _, _, email in PORTAL_USERS:
            out(f"  {'Patient (magic link or password)':<36} {email}")
