from __future__ import annotations

from django import forms

from telept.patients.models import Consent, Coverage, Patient
from telept.patients.rules import icd10cm_normalise, phone_e164
from telept.patients.services import EDITABLE_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = list(EDITABLE_FIELDS)
        widgets = {"date_of_birth": DateInput()}

    def _phone(self, name: str) -> str:
        value = self.cleaned_data.get(name, "")
        if not value:
            return ""
        try:
            return phone_e164(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_phone(self) -> str:
        return self._phone("phone")

    def clean_emergency_contact_phone(self) -> str:
        return self._phone("emergency_contact_phone")


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
    kind = forms.ChoiceField(choices=Consent.Kind.choices)
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
