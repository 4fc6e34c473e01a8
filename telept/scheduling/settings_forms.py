"""Forms of the schedule settings pages: they parse and validate; `schedule_admin` decides.

Times are typed in the practice's wall-clock time. Naive date-times are made aware in the
zone the view activated (`timezone.override`); a wall time that does not exist or happens
twice on a daylight-saving switch is a field error, never a guess.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from telept.practices.models import Location
from telept.scheduling.forms import DateInput, DateTimeLocalInput
from telept.scheduling.models import Modality, VisitKind, VisitType
from telept.scheduling.schedule_admin import MAX_BUFFER, MAX_CAPACITY, MAX_DURATION, WEEKDAYS

TELEHEALTH = "telehealth"
# Far-off years overflow when converted to UTC; nobody plans time off outside these.
FIRST_YEAR, LAST_YEAR = 2000, 2099
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class WindowForm(forms.Form):
    weekday = forms.TypedChoiceField(choices=list(enumerate(WEEKDAYS)), coerce=int,
                                     label="Day of the week")
    start_time = forms.TimeField(label="From", widget=TimeInput(), input_formats=["%H:%M"])
    end_time = forms.TimeField(label="Until", widget=TimeInput(), input_formats=["%H:%M"])
    place = forms.ChoiceField(label="Where", choices=[(TELEHEALTH, "Telehealth (video or "
                                                                   "audio)")])

    def __init__(self, *args: Any, practice_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        locations = Location.objects.filter(practice_id=practice_id).order_by("name", "id")
        self.fields["place"].choices = [(TELEHEALTH, "Telehealth (video or audio)")] + [
            (str(loc.pk), f"In person at {loc.name}") for loc in locations]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "The end must come after the start (a window cannot "
                           "cross midnight; use two).")
        return data

    def location_id(self) -> int | None:
        place = self.cleaned_data["place"]
        return None if place == TELEHEALTH else int(place)


def _in_range(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise forms.ValidationError(f"Enter a date between {FIRST_YEAR} and {LAST_YEAR}.")
    return value


class TimeOffForm(forms.Form):
    start = forms.DateTimeField(label="From", widget=DateTimeLocalInput(),
                                input_formats=DATETIME_FORMATS)
    end = forms.DateTimeField(label="Until", widget=DateTimeLocalInput(),
                              input_formats=DATETIME_FORMATS)
    reason = forms.CharField(max_length=120, required=False, label="Reason (staff only)",
                             help_text="For example: conference, vacation. No patient details.")

    def clean_start(self) -> dt.datetime | None:
        return _in_range(self.cleaned_data.get("start"))

    def clean_end(self) -> dt.datetime | None:
        return _in_range(self.cleaned_data.get("end"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", "The end must come after the start.")
        return data


class HolidayForm(forms.Form):
    date = forms.DateField(label="Date", widget=DateInput())
    name = forms.CharField(max_length=80, label="Name")

    def clean_date(self) -> dt.date:
        date: dt.date = self.cleaned_data["date"]
        if not FIRST_YEAR <= date.year <= LAST_YEAR:
            raise forms.ValidationError(f"Enter a date between {FIRST_YEAR} and {LAST_YEAR}.")
        return date

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Give the holiday a name.")
        return name


class VisitTypeForm(forms.Form):
    """Capacity is shown only for a group class; every other kind has one seat."""

    duration_minutes = forms.IntegerField(min_value=5, max_value=MAX_DURATION,
                                          label="Duration (minutes)")
    buffer_minutes = forms.IntegerField(min_value=0, max_value=MAX_BUFFER,
                                        label="Buffer after (minutes)",
                                        help_text="Notes and turnover; the provider stays busy.")
    capacity = forms.IntegerField(min_value=2, max_value=MAX_CAPACITY, label="Seats")
    modalities = forms.MultipleChoiceField(choices=Modality.choices,
                                           widget=forms.CheckboxSelectMultiple,
                                           label="May be held",
                                           error_messages={"required": "Choose at least one."})
    active = forms.BooleanField(required=False, label="Bookable (active)")

    def __init__(self, *args: Any, visit_type: VisitType, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {
            "duration_minutes": visit_type.duration_minutes,
            "buffer_minutes": visit_type.buffer_minutes, "capacity": visit_type.capacity,
            "modalities": list(visit_type.modalities), "active": visit_type.active})
        super().__init__(*args, **kwargs)
        self.is_group = visit_type.kind == VisitKind.GROUP_CLASS
        if not self.is_group:
            del self.fields["capacity"]

    def seats(self) -> int:
        return int(self.cleaned_data["capacity"]) if self.is_group else 1
