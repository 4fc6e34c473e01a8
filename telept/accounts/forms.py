from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from telept.accounts.roles import ROLE_CHOICES, STAFF_ROLES

STAFF_ROLE_CHOICES = [(value, label) for value, label in ROLE_CHOICES if value in STAFF_ROLES]


class LoginForm(forms.Form):
    email = forms.EmailField(max_length=254, label=_("E-mail"), widget=forms.EmailInput(
        attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(max_length=200, strip=False, label=_("Password"),
                               widget=forms.PasswordInput(
                                   attrs={"autocomplete": "current-password"}))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"), min_length=6, max_length=7,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "pattern": "[0-9 ]*", "autofocus": True}))


class MagicLinkForm(forms.Form):
    identifier = forms.CharField(label=_("E-mail or mobile number"), max_length=254,
                                 widget=forms.TextInput(attrs={"autocomplete": "username"}))


class TokenForm(forms.Form):
    name = forms.CharField(max_length=80, label="What is this token for?")


class InviteForm(forms.Form):
    email = forms.EmailField(max_length=254)
    role = forms.ChoiceField(choices=STAFF_ROLE_CHOICES)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=STAFF_ROLE_CHOICES)
    active = forms.BooleanField(required=False, initial=True)


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(max_length=150)
    password = forms.CharField(strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))
    password_again = forms.CharField(strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        elif data.get("password"):
            try:
                validate_password(str(data["password"]))
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data
