"""Forms of the billing action pages: the 835 upload, a payment at the desk, a fee schedule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms

from telept.billing.models import BillingCode, FeeSchedule, PatientPayment
from telept.billing.services.fees import MAX_UNIT_CHARGE, FeeInput
from telept.billing.services.payments import MAX_PAYMENT
from telept.billing.services.remittance import MAX_835_BYTES


class DateInput(forms.DateInput):
    input_type = "date"


class RemittanceUploadForm(forms.Form):
    file = forms.FileField(
        label="835 file",
        help_text=f"The X12 835 (005010X221A1) from the payer or clearinghouse, at most "
                  f"{MAX_835_BYTES // (1024 * 1024)} MB.",
        error_messages={"required": "Choose the 835 file to upload.",
                        "empty": "The file is empty. Nothing was posted."})

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if (upload.size or 0) > MAX_835_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; an 835 may be at most {MAX_835_BYTES:,} "
                "bytes. Split it into one file per payment. Nothing was posted.")
        return upload


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label="Amount ($)", min_value=Decimal("0.01"),
                                max_value=MAX_PAYMENT, max_digits=8, decimal_places=2,
                                widget=forms.NumberInput(attrs={"step": "0.01",
                                                                "inputmode": "decimal"}))
    method = forms.ChoiceField(label="Paid by", choices=PatientPayment.Method.choices,
                               initial=PatientPayment.Method.CASH)
    reference = forms.CharField(label="Check number or card terminal reference",
                                max_length=60, required=False,
                                help_text="Required for a check or a card payment.")
    received_on = forms.DateField(label="Received on", widget=DateInput())
    date_of_service = forms.TypedChoiceField(label="For the visit of", required=False,
                                             coerce=dt.date.fromisoformat, empty_value=None)
    memo = forms.CharField(label="Note", max_length=200, required=False)

    def __init__(self, *args: Any, visit_dates: list[dt.date], today: dt.date,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.initial.setdefault("received_on", today)
        field = self.fields["date_of_service"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "On account (no particular visit)")] + [
            (d.isoformat(), d.strftime("%a %-d %b %Y")) for d in visit_dates]

    def clean_received_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["received_on"]
        if value > self.today:
            raise forms.ValidationError("The day it was received cannot be in the future.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("method") in ("check", "card") and not data.get("reference", "").strip():
            self.add_error("reference", "Enter the check number or the card terminal's "
                                        "reference.")
        return data


def charge_name(code: str) -> str:
    return f"charge_{code}"


def telehealth_name(code: str) -> str:
    return f"telehealth_{code}"


class FeeScheduleForm(forms.Form):
    """One row per catalogue code: the charge per unit (blank: not on this payer's schedule)
    and whether the payer covers it by telehealth; `stamp` is the schedule as shown."""

    stamp = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, codes: list[BillingCode], fees: dict[str, FeeSchedule],
                 stamp: str, telehealth: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.codes = codes
        self.telehealth = telehealth  # False: the self-pay schedule (no payer covers it)
        self.initial["stamp"] = stamp
        for code in codes:
            fee = fees.get(code.code)
            self.fields[charge_name(code.code)] = forms.DecimalField(
                label=f"Charge per unit for {code.code}", required=False, min_value=0,
                max_value=MAX_UNIT_CHARGE, max_digits=12, decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal",
                                                "class": "money-input"}))
            if telehealth:
                self.fields[telehealth_name(code.code)] = forms.BooleanField(
                    label=f"{code.code} covered by telehealth", required=False)
            if fee is not None:
                self.initial[charge_name(code.code)] = fee.unit_charge
                if telehealth:
                    self.initial[telehealth_name(code.code)] = fee.telehealth_covered

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for code in self.codes:
            if data.get(telehealth_name(code.code)) and data.get(charge_name(code.code)) is None \
                    and charge_name(code.code) not in self.errors:
                self.add_error(charge_name(code.code), f"Enter a charge for {code.code} to "
                               "cover it by telehealth (or untick telehealth).")
        return data

    def fees(self) -> dict[str, FeeInput | None]:
        out: dict[str, FeeInput | None] = {}
        for code in self.codes:
            charge = self.cleaned_data.get(charge_name(code.code))
            out[code.code] = None if charge is None else FeeInput(
                charge, bool(self.cleaned_data.get(telehealth_name(code.code))))
        return out

    def rows(self) -> list[dict[str, Any]]:
        """For the template: each code with its two bound fields."""
        return [{"code": code, "charge": self[charge_name(code.code)],
                 "telehealth": self[telehealth_name(code.code)] if self.telehealth else None}
                for code in self.codes]
