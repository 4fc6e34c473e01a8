"""Enrolment, consent and management time typed in: who may, and what is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from telept.audit.models import AuditEvent
from telept.lib.errors import Conflict, DomainError, NotFound, PermissionDenied
from telept.rtm import services
from telept.rtm.models import Enrolment, ManagementEntry
from telept.rtm.tests.helpers import enrol, established, pta_provider
from telept.tests.factories import local_today

pytestmark = pytest.mark.django_db
TODAY = local_today()


@pytest.fixture
def ready(cast, django_capture_on_commit_callbacks):
    established(cast, django_capture_on_commit_callbacks)
    return cast


def _create(cast, role="pt", patient=None, **kw):
    return services.enrolment_create(
        actor=cast.actor(role), patient_id=(patient or cast.patient).pk,
        goals=kw.pop("goals", "Stairs without rail."),
        end_date=kw.pop("end_date", TODAY + dt.timedelta(days=90)), **kw)


def test_a_pt_enrols_an_established_patient_under_the_plan_of_care(ready):
    enrolment = _create(ready, data_kinds=["sessions", "camera"])
    assert enrolment.enrolled_by.user == ready.users["pt"]
    assert enrolment.plan_of_care.kind == "initial_eval"
    assert enrolment.diagnosis_code == "M17.11"
    assert enrolment.data_kinds == ["sessions", "camera"]
    assert enrolment.start == local_today() and not enrolment.consented
    assert AuditEvent.objects.filter(object_type="RtmEnrolment", action="create",
                                     patient_id=ready.patient.pk).exists()


@pytest.mark.parametrize("role", ["pta", "admin", "front_desk", "billing", "patient"])
def test_only_a_pt_enrols(ready, role):
    with pytest.raises(PermissionDenied):
        _create(ready, role=role)


def test_a_patient_without_a_signed_evaluation_is_not_established(ready):
    with pytest.raises(DomainError) as err:
        _create(ready, patient=ready.other_patient)
    assert err.value.code == "not_established"


def test_a_patient_of_another_practice_is_not_found(ready):
    with pytest.raises(NotFound):
        _create(ready, patient=ready.outsider_patient)


def test_one_active_enrolment_per_patient(ready):
    _create(ready)
    with pytest.raises(Conflict) as err:
        _create(ready)
    assert err.value.code == "already_enrolled"


@pytest.mark.parametrize(("kw", "code"), [
    ({"goals": "  "}, "goals_required"),
    ({"data_kinds": ["steps"]}, "data_kinds_invalid"),
    ({"data_kinds": []}, "data_kinds_invalid"),
    ({"end_date": TODAY - dt.timedelta(days=1)}, "end_before_start"),
    ({"end_date": TODAY + dt.timedelta(days=400)}, "episode_too_long"),
    ({"diagnosis_code": "Z00.00"}, "diagnosis_required"),
])
def test_bad_enrolment_input_names_the_field(ready, kw, code):
    with pytest.raises(DomainError) as err:
        _create(ready, **kw)
    assert err.value.code == code and err.value.status == 422


def test_unenrol_needs_a_pt_and_a_reason_and_frees_the_patient(ready):
    enrolment = _create(ready)
    with pytest.raises(PermissionDenied):
        services.enrolment_unenrol(actor=ready.actor("pta"), enrolment_id=enrolment.pk,
                                   reason="Done")
    with pytest.raises(DomainError) as err:
        services.enrolment_unenrol(actor=ready.actor("pt"), enrolment_id=enrolment.pk,
                                   reason=" ")
    assert err.value.code == "reason_required"
    services.enrolment_unenrol(actor=ready.actor("pt"), enrolment_id=enrolment.pk,
                               reason="Goals met.")
    enrolment.refresh_from_db()
    assert enrolment.unenrolled_at and enrolment.unenrol_reason == "Goals met."
    with pytest.raises(Conflict):
        services.enrolment_unenrol(actor=ready.actor("pt"), enrolment_id=enrolment.pk,
                                   reason="Again")
    assert _create(ready).pk != enrolment.pk  # may be enrolled again


def test_the_patient_consents_in_the_portal_with_version_time_and_signer(ready):
    enrolment = _create(ready)
    services.enrolment_consent(actor=ready.actor("patient"), enrolment_id=enrolment.pk,
                               signer="Pat Patient")
    enrolment.refresh_from_db()
    assert enrolment.consent_version == services.CONSENT_VERSION
    assert enrolment.consent_signer == "Pat Patient"
    assert abs((timezone.now() - enrolment.consent_at).total_seconds()) < 60
    assert enrolment.consent_recorded_by == ready.users["patient"]
    with pytest.raises(Conflict):
        services.enrolment_consent(actor=ready.actor("patient"), enrolment_id=enrolment.pk,
                                   signer="Pat Patient")


def test_another_patient_cannot_consent_for_them(ready):
    enrolment = _create(ready)
    for who in ("other_patient", "outsider_patient", "outsider_pt"):
        with pytest.raises((NotFound, PermissionDenied)):
            services.enrolment_consent(actor=ready.actor(who), enrolment_id=enrolment.pk,
                                       signer="Someone")
    assert not Enrolment.objects.get(pk=enrolment.pk).consented


def test_a_patient_cannot_backdate_consent_and_staff_cannot_date_it_ahead(ready):
    enrolment = _create(ready)
    with pytest.raises(DomainError):
        services.enrolment_consent(actor=ready.actor("patient"), enrolment_id=enrolment.pk,
                                   signer="P", signed_at=timezone.now() - dt.timedelta(days=3))
    with pytest.raises(DomainError):
        services.enrolment_consent(actor=ready.actor("front_desk"), enrolment_id=enrolment.pk,
                                   signer="P", signed_at=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(DomainError) as err:
        services.enrolment_consent(actor=ready.actor("front_desk"), enrolment_id=enrolment.pk,
                                   signer="P", version="old")
    assert err.value.code == "consent_version_unknown"


def test_a_pt_or_pta_adds_minutes_by_hand_with_a_note(ready):
    pta_provider(ready)
    enrolment = enrol(ready, start=TODAY - dt.timedelta(days=5))
    call = services.management_add(actor=ready.actor("pta"), enrolment_id=enrolment.pk,
                                   minutes=12, kind="call", note="Phoned about knee swelling.")
    assert (call.seconds, call.pta, call.interactive) == (720, True, True)
    logs = services.management_add(actor=ready.actor("pt"), enrolment_id=enrolment.pk,
                                   minutes=5, kind="log_review", note="Read the pain logs.")
    assert (logs.pta, logs.interactive) == (False, False)
    assert ManagementEntry.objects.filter(enrolment=enrolment).count() == 2


@pytest.mark.parametrize(("kw", "code"), [
    ({"note": ""}, "note_required"),
    ({"minutes": 0}, "minutes_invalid"),
    ({"minutes": 500}, "minutes_invalid"),
    ({"kind": "visit"}, "kind_invalid"),
    ({"occurred_at": timezone.now() + dt.timedelta(days=2)}, "time_invalid"),
])
def test_bad_minutes_are_refused_with_a_field(ready, kw, code):
    enrolment = enrol(ready, start=TODAY - dt.timedelta(days=5))
    args = {"minutes": 10, "kind": "call", "note": "Called.", **kw}
    with pytest.raises(DomainError) as err:
        services.management_add(actor=ready.actor("pt"), enrolment_id=enrolment.pk, **args)
    assert err.value.code == code


@pytest.mark.parametrize("role", ["front_desk", "billing", "admin", "patient", "outsider_pt"])
def test_only_clinicians_of_the_practice_add_minutes(ready, role):
    enrolment = enrol(ready, start=TODAY - dt.timedelta(days=5))
    with pytest.raises((PermissionDenied, NotFound)):
        services.management_add(actor=ready.actor(role), enrolment_id=enrolment.pk,
                                minutes=10, kind="call", note="Called.")


def test_rtm_cannot_start_before_the_plan_of_care(ready):
    with pytest.raises(DomainError) as err:
        _create(ready, start=TODAY - dt.timedelta(days=400))
    assert err.value.code == "start_before_plan"
