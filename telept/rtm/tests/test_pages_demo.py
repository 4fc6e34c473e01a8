"""The demo's RTM patients sit across the RULES §3 thresholds, and what the dashboard shows
(data days, minutes, proposed codes) is what the day and minute tables say for them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from telept.accounts.actor import actor_for
from telept.accounts.models import User
from telept.rtm import rules, selectors
from telept.rtm.models import Enrolment

pytestmark = pytest.mark.django_db

# RULES §3 test vectors: (lowest, highest) -> code, for the two tables.
DAY_TABLE = [((0, 1), None), ((2, 15), "98985"), ((16, 30), "98977")]
MINUTE_TABLE = [((0, 9), []), ((10, 19), ["98979"]), ((20, 39), ["98980"]),
                ((40, 59), ["98980", "98981"]), ((60, 79), ["98980", "98981"])]


def _device(days: int) -> str | None:
    return next(code for (lo, hi), code in DAY_TABLE if lo <= days <= hi)


def _management(minutes: int) -> list[str]:
    return next(codes for (lo, hi), codes in MINUTE_TABLE if lo <= minutes <= hi)


@pytest.fixture
def demo(settings):
    settings.TELEPT_DEMO = True
    from telept.clinical.demo import seed_clinical
    from telept.exercises.demo import seed_exercises
    from telept.practices.demo import seed_demo
    from telept.rtm.demo import seed_rtm
    from telept.scheduling.demo import seed_schedule

    seed_demo()
    seed_schedule()
    seed_clinical()
    seed_exercises()
    seed_rtm()
    seed_rtm()  # idempotent
    return actor_for(User.objects.get(email="pt@riverside.example"))


def test_the_demo_patients_span_the_thresholds_and_agree_with_the_tables(demo):
    rows = {m.patient.mrn: m for m in selectors.dashboard(actor=demo)}
    assert Enrolment.objects.filter(practice__slug="riverside").count() == 6
    facts = {mrn: (m.data_days, m.minutes) for mrn, m in rows.items() if mrn != "R0002"}
    assert facts["R0004"] == (12, 19)
    assert facts["R0005"][0] >= 16 and facts["R0005"][1] == 25
    assert facts["R0012"] == (1, 15)
    assert facts["R0006"] == (7, 45)
    assert facts["R0001"][1] == 8
    for mrn, m in rows.items():
        if not m.enrolment.consented:
            assert mrn == "R0002" and not m.proposed
            continue
        device = _device(m.data_days)
        data_codes = [c["code"] for c in m.data_period.proposed_codes]
        assert data_codes == (["98975", device] if device else []), mrn
        month_codes = [c["code"] for c in m.month_period.proposed_codes]
        expected = _management(m.minutes) if m.month_period.interactive else []
        assert month_codes == expected, mrn
        if m.minutes >= 40:
            extra = next(c["units"] for c in m.month_period.proposed_codes
                         if c["code"] == "98981")
            assert extra == (m.minutes - 20) // 20
        assert m.proposed_label == selectors.codes_label(
            [c.as_dict() for c in rules.period_codes(
                data_days=m.data_days, first_of_episode=True)]
            + [c.as_dict() for c in rules.management_codes(
                m.minutes, interactive=m.month_period.interactive)])
    assert {"No data for 4 days"} <= set(rows["R0012"].alerts)
    assert any(a.startswith("Safety stop") for a in rows["R0006"].alerts)
    assert any(a.startswith("Pain rising") for a in rows["R0005"].alerts)
    assert rows["R0004"].recording_id is not None
    # The pages: the demo PT sees Robert at 12 days; James is asked for his consent.
    page = _signed_in("pt@riverside.example").get(reverse("rtm:dashboard")).content.decode()
    assert "Robert Nguyen" in page and "12 days" in page
    page = _signed_in("patient2@riverside.example").get(reverse("rtm:portal")).content.decode()
    assert "Read and give your consent" in page


def _signed_in(email: str) -> Client:
    from telept.accounts.middleware import SESSION_MFA_OK

    client = Client()
    client.force_login(User.objects.get(email=email),
                       backend="telept.accounts.backends.EmailBackend")
    session = client.session
    session[SESSION_MFA_OK] = True
    session.save()
    return client
