"""Forms of the scheduling pages: they parse and validate; the services decide.

Naive date-times typed into a page are read in the zone the view activated
(`timezone.override`): the practice's zone for staff, the patient's for patients.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telept.lib.phones import phone_display
from telept.lib.states import STATE_CHOICES
from telept.patients.rules import phone_e164
from telept.practices.models import Location, Provider
from telept.scheduling.models import Modality, VisitKind, VisitType
from telept.scheduling.rules.when import visit_when

STATE_OPTIONS = [("", "Choose a state")] + list(STATE_CHOICES)
VIEW_CHOICES = [("day", "Day"), ("week", "Week")]
OUTCOME_CHOICES = [("completed", "Completed"), ("no_show", "No-show")]
INITIAL_EVAL_CHOICES = [("in_person", "In person"), ("video", "By video"),
                        ("", "Already done (no evaluation in this plan)")]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def providers_of(practice_id: int) -> QuerySet[Provider]:
    return Provider.objects.filter(practice_id=practice_id).order_by("display_name", "id")


def aware_start(text: str) -> dt.datetime:
    """A slot's start as posted back by a page (ISO 8601 with an offset)."""
    try:
        value = dt.datetime.fromisoformat((text or "").strip())
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise forms.ValidationError(_("Choose one of the free times."))
    return value


class CalendarForm(forms.Form):
    """What the staff calendar shows; bad values fall back to today, day view, everyone."""

    view = forms.ChoiceField(choices=VIEW_CHOICES, required=False, label="View")
    date = forms.DateField(required=False, widget=forms.HiddenInput)
    provider = forms.ModelChoiceField(queryset=Provider.objects.none(), required=False,
                                      empty_label="All providers", label="Provider")
    location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False,
                                      empty_label="All locations and telehealth",
                                      label="Location")

    def __init__(self, *args: Any, practice_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers_of(practice_id)  # type: ignore[attr-defined]
        self.fields["location"].queryset = Location.objects.filter(  # type: ignore[attr-defined]
            practice_id=practice_id).order_by("name", "id")


class SlotQueryForm(forms.Form):
    """Whose free times to list, for which visit, from which date (7 days are shown)."""

    provider = forms.ModelChoiceField(queryset=Provider.objects.none(), label=_("Provider"),
                                      empty_label=_("Choose a provider"))
    visit_type = forms.ModelChoiceField(queryset=VisitType.objects.none(), label=_("Visit type"),
                                        empty_label=_("Choose a visit type"))
    modality = forms.ChoiceField(choices=[(v, _(label)) for v, label in Modality.choices],
                                 label=_("How"), initial=Modality.VIDEO)
    date = forms.DateField(label=_("Free times from"), widget=DateInput())

    REFRESH = ("provider", "visit_type", "modality", "date")

    def __init__(self, *args: Any, practice_id: int, slots_url: str = "",
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers_of(practice_id)  # type: ignore[attr-defined]
        self.fields["visit_type"].queryset = VisitType.objects.filter(  # type: ignore[attr-defined]
            practice_id=practice_id, active=True).exclude(kind=VisitKind.GROUP_CLASS)
        if slots_url:
            # Changing any of these refreshes the slot list in place (htmx, no inline script).
            for name in self.REFRESH:
                self.fields[name].widget.attrs.update({
                    "hx-get": slots_url, "hx-target": "#slots", "hx-swap": "outerHTML",
                    "hx-include": "closest form", "hx-trigger": "change"})


class BookingForm(SlotQueryForm):
    """A visit to book: the slot query, where, and the chosen free time."""

    location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False,
                                      label=_("Clinic (in-person visits)"),
                                      empty_label=_("Not in person"))
    patient_state = forms.ChoiceField(choices=STATE_OPTIONS, required=False,
                                      label=_("State the patient will be in during the visit"))
    start = forms.CharField(max_length=40, widget=forms.HiddenInput,
                            error_messages={"required": _("Choose one of the free times.")})

    def __init__(self, *args: Any, practice_id: int, for_patient: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, practice_id=practice_id, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(  # type: ignore[attr-defined]
            practice_id=practice_id).order_by("name", "id")
        if for_patient:
            self.fields["patient_state"].label = _("State you will be in during the visit")

    def clean_start(self) -> dt.datetime:
        return aware_start(self.cleaned_data.get("start", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("modality") == Modality.IN_PERSON and not data.get("location"):
            self.add_error("location", _("Choose the clinic for an in-person visit."))
        return data


class RescheduleForm(forms.Form):
    date = forms.DateField(label="Free times from", widget=DateInput())
    start = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, slots_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if slots_url:
            self.fields["date"].widget.attrs.update({
                "hx-get": slots_url, "hx-target": "#slots", "hx-swap": "outerHTML",
                "hx-include": "closest form", "hx-trigger": "change"})

    def clean_start(self) -> dt.datetime:
        return aware_start(self.cleaned_data.get("start", ""))


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=200, label="Reason for cancelling",
                             error_messages={"required": "Give a reason for the cancellation."})

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give a reason for the cancellation.")
        return reason


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=OUTCOME_CHOICES)


class WaitlistForm(forms.Form):
    provider = forms.ModelChoiceField(queryset=Provider.objects.none(), required=False,
                                      label=_("Provider"), empty_label=_("Any provider"))
    visit_type = forms.ModelChoiceField(queryset=VisitType.objects.none(), label=_("Visit type"))
    modality = forms.ChoiceField(choices=[(v, _(label)) for v, label in Modality.choices],
                                 label=_("How"))
    earliest = forms.DateField(label=_("Earliest day"), widget=DateInput())
    latest = forms.DateField(label=_("Latest day"), widget=DateInput())

    def __init__(self, *args: Any, practice_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers_of(practice_id)  # type: ignore[attr-defined]
        self.fields["visit_type"].queryset = VisitType.objects.filter(  # type: ignore[attr-defined]
            practice_id=practice_id, active=True).exclude(kind=VisitKind.GROUP_CLASS)
        for name in ("provider", "visit_type", "modality", "earliest", "latest"):
            self.fields[name].widget.attrs["id"] = f"id_wait_{name}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        earliest, latest = data.get("earliest"), data.get("latest")
        if earliest and latest and latest < earliest:
            self.add_error("latest", _("The latest day must not come before the earliest."))
        return data


class CarePlanSpecForm(forms.Form):
    provider = forms.ModelChoiceField(queryset=Provider.objects.none(), label="Provider",
                                      empty_label="Choose a provider")
    title = forms.CharField(max_length=120, required=False, initial="Plan of care",
                            label="Title")
    start_date = forms.DateField(label="First week starts", widget=DateInput())
    weeks = forms.IntegerField(min_value=1, max_value=26, initial=4, label="Weeks")
    visits_per_week = forms.IntegerField(min_value=1, max_value=5, initial=2,
                                         label="Visits per week")
    follow_up_modality = forms.ChoiceField(choices=Modality.choices, initial=Modality.VIDEO,
                                           label="Follow-up visits")
    initial_eval = forms.ChoiceField(choices=INITIAL_EVAL_CHOICES, required=False,
                                     initial="in_person", label="Initial evaluation")
    re_eval_week = forms.IntegerField(min_value=1, max_value=26, required=False,
                                      label="Re-evaluation week (in person)",
                                      help_text="Leave empty for no re-evaluation.")

    def __init__(self, *args: Any, practice_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers_of(practice_id)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        weeks, re_eval = data.get("weeks"), data.get("re_eval_week")
        if weeks and re_eval and re_eval > weeks:
            self.add_error("re_eval_week", "The re-evaluation week must fall inside the plan.")
        return data


class PlanVisitForm(forms.Form):
    """One proposed visit; staff may move its start (typed in the practice's zone)."""

    kind = forms.ChoiceField(choices=VisitKind.choices, widget=forms.HiddenInput)
    modality = forms.ChoiceField(choices=Modality.choices, widget=forms.HiddenInput)
    location_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    start = forms.DateTimeField(label="Start", widget=DateTimeLocalInput(),
                                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])

    def kind_label(self) -> str:
        return str(dict(VisitKind.choices).get(self["kind"].value(), ""))

    def modality_label(self) -> str:
        return str(dict(Modality.choices).get(self["modality"].value(), ""))

    def start_label(self) -> str:
        """The start with its weekday, in the active (practice) zone: "Fri 25 Dec, 8:45 AM";
        empty while the typed value is not a date-time (Issue 16 item 23)."""
        value = self["start"].value()
        if isinstance(value, str):
            try:
                value = self.fields["start"].clean(value)
            except forms.ValidationError:
                return ""
        if not isinstance(value, dt.datetime):
            return ""
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return visit_when(value, str(timezone.get_current_timezone()))


PlanVisitFormSet = forms.formset_factory(PlanVisitForm, extra=0, min_num=1, max_num=130,
                                         validate_min=True, validate_max=True)


class BookingRequestForm(forms.Form):
    """The public request form: every field validated, nothing trusted."""

    name = forms.CharField(max_length=120, label=_("Your name"))
    email = forms.EmailField(max_length=254, label=_("E-mail"))
    phone = forms.CharField(max_length=30, label=_("Phone"),
                            help_text=_("We call or text this number to confirm."))
    state = forms.ChoiceField(choices=STATE_OPTIONS, label=_("State you will be in"))
    requested_start = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)
    note = forms.CharField(max_length=500, required=False, label=_("Other times that suit you"),
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("If none of the times above fit, say when you can."))
    reason = forms.CharField(max_length=120, label=_("Reason for the visit, in a few words"),
                             help_text=_("For example: knee pain after a fall. No details "
                                       "needed here."))

    def __init__(self, *args: Any, offered: list[dt.datetime], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offered = offered

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 2:
            raise forms.ValidationError(_("Give your name."))
        return name

    def clean_phone(self) -> str:
        try:
            return phone_e164(self.cleaned_data["phone"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError(_("Say in a few words why you want a visit."))
        return reason

    def clean_requested_start(self) -> dt.datetime | None:
        text = self.cleaned_data.get("requested_start", "")
        if not text:
            return None
        start = aware_start(text)
        if start not in self.offered:
            raise forms.ValidationError(_("That time is no longer free; choose another."))
        return start

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("requested_start") and not (data.get("note") or "").strip() \
                and "requested_start" not in self.errors:
            self.add_error("note", _("Choose one of the free times or say when you can come."))
        return data


SEX_CHOICES = [("U", "Not given"), ("F", "Female"), ("M", "Male"), ("O", "Other")]


class BookingRequestConvertForm(forms.Form):
    """Turn a public request into a patient and a booked visit (Issue 16 item 23). Pre-filled
    from the request; staff complete the date of birth and check the rest. The start is typed
    in the practice's zone (the view activates it)."""

    first_name = forms.CharField(max_length=100, label="First name")
    last_name = forms.CharField(max_length=100, label="Last name")
    date_of_birth = forms.DateField(label="Date of birth", widget=DateInput(),
                                    help_text="Ask on the call-back; the request does not "
                                              "carry it.")
    sex = forms.ChoiceField(choices=SEX_CHOICES, required=False, initial="U", label="Sex")
    email = forms.EmailField(max_length=254, required=False, label="E-mail")
    phone = forms.CharField(max_length=30, required=False, label="Phone")
    state = forms.ChoiceField(choices=STATE_OPTIONS, required=False, label="Home state")
    provider = forms.ModelChoiceField(queryset=Provider.objects.none(), label="Provider",
                                      empty_label="Choose a provider")
    visit_type = forms.ModelChoiceField(queryset=VisitType.objects.none(), label="Visit type",
                                        empty_label="Choose a visit type")
    modality = forms.ChoiceField(choices=Modality.choices, label="How")
    location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False,
                                      label="Clinic (in-person visits)",
                                      empty_label="Not in person")
    start = forms.DateTimeField(label="Visit starts", widget=DateTimeLocalInput(),
                                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    patient_state = forms.ChoiceField(choices=STATE_OPTIONS, required=False,
                                      label="State the patient will be in during the visit")

    PATIENT_FIELDS = ("first_name", "last_name", "date_of_birth", "sex", "email", "phone",
                      "state")

    def __init__(self, *args: Any, practice_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers_of(practice_id)  # type: ignore[attr-defined]
        self.fields["visit_type"].queryset = VisitType.objects.filter(  # type: ignore[attr-defined]
            practice_id=practice_id, active=True).exclude(kind=VisitKind.GROUP_CLASS)
        self.fields["location"].queryset = Location.objects.filter(  # type: ignore[attr-defined]
            practice_id=practice_id).order_by("name", "id")

    @staticmethod
    def initial_from(request: Any, *, visit_type_id: int | None) -> dict[str, object]:
        """The request's details as the form's starting values ("Robin Newcomer" -> first
        name Robin, last name Newcomer)."""
        first, _, last = request.name.rpartition(" ")
        if not first:
            first, last = last, ""
        start = request.requested_start
        return {"first_name": first, "last_name": last, "email": request.email,
                "phone": phone_display(request.phone), "state": request.state,
                "patient_state": request.state, "provider": request.provider_id,
                "visit_type": visit_type_id or "", "modality": Modality.VIDEO,
                "start": timezone.localtime(start) if start else None, "sex": "U"}

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "")
        if not value:
            return ""
        try:
            return phone_e164(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("modality") == Modality.IN_PERSON and not data.get("location"):
            self.add_error("location", "Choose the clinic for an in-person visit.")
        return data
