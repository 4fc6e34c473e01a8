from __future__ import annotations

from typing import Any

from django import forms

from telept.lib.phones import phone_display
from telept.patients import languages
from telept.patients.changes import open_values, patient_values, seal_values
from telept.patients.models import Consent, Coverage, Patient
from telept.patients.rules import icd10cm_normalise, phone_e164
from telept.patients.services import EDITABLE_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"


PHONE_FIELDS = ("phone", "emergency_contact_phone")


class PatientForm(forms.ModelForm):
    """Demographics as people type and read them: phone numbers shown the way the practice's
    country dials them (saved in E.164), the language chosen by name (saved as its tag)."""

    preferred_language = forms.ChoiceField(label="Preferred language", choices=())

    class Meta:
        model = Patient
        fields = list(EDITABLE_FIELDS)
        widgets = {"date_of_birth": DateInput()}

    def __init__(self, *args: Any, region: str = "US", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.region = region
        stored = self.initial.get("preferred_language") or "en"
        field = self.fields["preferred_language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = languages.choices_with(str(stored))
        offered = {code.lower(): code for code, _ in field.choices}
        self.initial["preferred_language"] = offered.get(languages.canonical(str(stored))
                                                         .lower(), stored)
        for name in PHONE_FIELDS:
            if self.initial.get(name):
                self.initial[name] = phone_display(self.initial[name], region=region)

    def _phone(self, name: str) -> str:
        value = self.cleaned_data.get(name, "")
        if not value:
            return ""
        try:
            return phone_e164(value, region=self.region)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_phone(self) -> str:
        return self._phone("phone")

    def clean_emergency_contact_phone(self) -> str:
        return self._phone("emergency_contact_phone")


STALE_PAGE = "This page is out of date: reload it, then make your change again."


class PatientEditForm(PatientForm):
    """The edit page (Issue 16 item 13): it carries the record's version it was built from
    and, signed, the values it showed, so a save that another one overtook is refused and
    the merge page can tell their changes from yours. On the merge page, `keep_<field>`
    radios say whose value wins for each difference ("theirs" keeps the saved one)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, error_messages={
        "required": STALE_PAGE, "invalid": STALE_PAGE, "min_value": STALE_PAGE})
    base = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)
            self.initial.setdefault("base", seal_values(patient_values(self.instance)))

    def base_values(self) -> dict[str, object] | None:
        """The values this page started from (None when the page did not say)."""
        return open_values(str(self.cleaned_data.get("base") or ""))

    def chosen(self) -> dict[str, str]:
        """The merge page's choices, by field."""
        return {name: str(self.data[f"keep_{name}"]) for name in EDITABLE_FIELDS
                if f"keep_{name}" in self.data}

    def kept_theirs(self) -> set[str]:
        return {name for name in EDITABLE_FIELDS if self.data.get(f"keep_{name}") == "theirs"}

    def mine(self) -> dict[str, object]:
        """What this person asks to save: the fields as typed, except where the merge page
        chose theirs (the value the merge page showed as saved)."""
        values = {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}
        base = self.base_values() or {}
        for name in self.kept_theirs():
            if name in base:
                values[name] = base[name]
        return values

    def changes(self) -> dict[str, object]:
        """The fields to write: everything typed but the fields the merge keeps as saved."""
        kept = self.kept_theirs()
        return {k: v for k, v in self.mine().items() if k not in kept}


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search patients")


class CoverageForm(forms.Form):
    payer = forms.ModelChoiceField(queryset=None)  # type: ignore[arg-type]
    member_id = forms.CharField(max_length=40)
    group_number = forms.CharField(max_length=40, required=False)
    subscriber_relation = forms.ChoiceField(choices=Coverage.Relation.choices)
    subscriber_name = forms.CharField(max_length=150, required=False)
    priority = forms.IntegerField(min_value=1, max_value=3, initial=1)

    def __init__(self, *args: object, payers: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["payer"].queryset = payers  # type: ignore[attr-defined]


class ConsentForm(forms.Form):
    # A clip's consent is given in the call for that one clip (visits.clips), not on paper.
    kind = forms.ChoiceField(choices=[c for c in Consent.Kind.choices
                                      if c[0] != Consent.Kind.VIDEO_CLIP])
    version = forms.CharField(max_length=20, initial="2026-01")
    signed_by = forms.CharField(max_length=150)
    signer_relation = forms.CharField(max_length=50, initial="self")


class DiagnosisForm(forms.Form):
    code = forms.CharField(max_length=10, label="ICD-10-CM code")
    description = forms.CharField(max_length=200)
    is_primary = forms.BooleanField(required=False)
    onset_date = forms.DateField(required=False, widget=DateInput())

    def clean_code(self) -> str:
        try:
            return icd10cm_normalise(self.cleaned_data["code"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
