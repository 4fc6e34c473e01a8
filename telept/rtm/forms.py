"""Forms of the RTM pages: enrol, unenrol, management time typed in, the patient's consent.

Each keeps what was typed when refused; a service's DomainError lands on the field it names
(`attach_error`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from telept.lib.errors import DomainError
from telept.rtm.models import DATA_KINDS, ManagementEntry
from telept.rtm.services import CONSENT_VERSION, MAX_MANUAL_MINUTES

# What a clinician types in (recording reviews and visits are captured on their own).
TYPED_KINDS = [(k, label) for k, label in ManagementEntry.Kind.choices
               if k in ("call", "log_review", "message", "manual")]
DEFAULT_EPISODE_DAYS = 90
# The service names its fields as the API does; the forms name them for people.
SERVICE_FIELDS = {"plan_of_care_id": "plan_of_care", "occurred_at": "day"}


class DateInput(forms.DateInput):
    input_type = "date"


def attach_error(form: forms.Form, exc: DomainError) -> None:
    """Put a service's refusal beside the field it names, else at the top of the form."""
    field = SERVICE_FIELDS.get(exc.field or "", exc.field or "")
    form.add_error(field if field in form.fields else None, exc.message)


class EnrolForm(forms.Form):
    plan_of_care = forms.TypedChoiceField(
        label="Plan of care", coerce=int,
        help_text="The signed initial evaluation the monitoring serves.",
        error_messages={"required": "Choose the plan of care (a signed initial evaluation)."})
    diagnosis_code = forms.ChoiceField(
        label="Diagnosis", error_messages={"required": "Choose the diagnosis monitored."})
    goals = forms.CharField(
        label="Monitoring goals", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write the monitoring goals."})
    data_kinds = forms.MultipleChoiceField(
        label="Programme data that count as a data day", choices=DATA_KINDS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one kind of programme data."})
    start = forms.DateField(label="Start", widget=DateInput(),
                            error_messages={"required": "Give the start date."})
    end_date = forms.DateField(label="End date", widget=DateInput(),
                               error_messages={"required": "Give the end date."})

    def __init__(self, *args: Any, evaluations: list[tuple[int, str]],
                 diagnoses: list[tuple[str, str]], today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plan = self.fields["plan_of_care"]
        assert isinstance(plan, forms.TypedChoiceField)
        plan.choices = [("", "Choose a signed evaluation")] + [(str(k), v)
                                                               for k, v in evaluations]
        dx = self.fields["diagnosis_code"]
        assert isinstance(dx, forms.ChoiceField)
        dx.choices = [("", "Choose a diagnosis")] + diagnoses
        self.initial.setdefault("start", today)
        self.initial.setdefault("end_date", today + dt.timedelta(days=DEFAULT_EPISODE_DAYS))
        self.initial.setdefault("data_kinds", [k for k, _ in DATA_KINDS])
        if evaluations:
            self.initial.setdefault("plan_of_care", str(evaluations[0][0]))
        if diagnoses:
            self.initial.setdefault("diagnosis_code", diagnoses[0][0])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date is on or after the start.")
        return data


class UnenrolForm(forms.Form):
    reason = forms.CharField(
        label="Why the patient leaves RTM", max_length=300,
        error_messages={"required": "Say why the patient leaves RTM."})


class MinutesForm(forms.Form):
    minutes = forms.IntegerField(
        label="Minutes", min_value=1, max_value=MAX_MANUAL_MINUTES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": "Give the minutes spent.",
                        "min_value": f"Minutes are 1 to {MAX_MANUAL_MINUTES}.",
                        "max_value": f"Minutes are 1 to {MAX_MANUAL_MINUTES}.",
                        "invalid": "Minutes are a whole number."})
    kind = forms.ChoiceField(label="What it was", choices=TYPED_KINDS,
                             initial=ManagementEntry.Kind.CALL,
                             help_text="A call is the month's real-time interaction.")
    note = forms.CharField(label="Note", max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"required": "Say what was done in those minutes."})
    day = forms.DateField(label="Day", widget=DateInput(), required=False,
                          help_text="Blank: now.")

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.initial.setdefault("day", today)

    def clean_day(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("day")
        if day is not None and day > self.today:
            raise forms.ValidationError("The day is today or earlier.")
        return day


class ConsentForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput, initial=CONSENT_VERSION)
    signer = forms.CharField(
        label=_("Your full name"), max_length=150,
        error_messages={"required": _("Type your full name to sign.")})
    agree = forms.BooleanField(
        label=_("I have read this and I agree to remote therapeutic monitoring."),
        error_messages={"required": _("Tick the box to give your consent.")})
