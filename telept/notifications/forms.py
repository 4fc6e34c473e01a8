"""Boundary validation for the message template page."""

from __future__ import annotations

from django import forms

from telept.notifications.models import CHANNEL_CHOICES, KIND_CHOICES


class MessageTemplateForm(forms.Form):
    ACTIONS = (("preview", "Preview"), ("save", "Save"), ("reset", "Back to default"))

    kind = forms.ChoiceField(choices=KIND_CHOICES)
    channel = forms.ChoiceField(choices=CHANNEL_CHOICES)
    subject = forms.CharField(max_length=200, required=False)
    body = forms.CharField(max_length=4000, required=False, widget=forms.Textarea)
    action = forms.ChoiceField(choices=ACTIONS)
