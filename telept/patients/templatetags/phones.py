"""`{% load phones %}`: `{{ number|phone }}` formats a stored E.164 number for reading,
`{{ code|language_name }}` names a BCP 47 language tag (Issue 16 item 21).

`{{ number|phone:practice }}` reads the number as someone in that practice's country dials
it (the country of the practice's own number; US when it has none); `{{ number|phone:"GB" }}`
names the country directly. `tel:` links keep the stored E.164 value.
"""

from __future__ import annotations

from django import template

from telept.lib.phones import phone_display, region_of
from telept.patients.languages import language_name as _language_name

register = template.Library()


def _region(where: object) -> str:
    if isinstance(where, str):
        return where.upper() if len(where) == 2 else "US"
    return region_of(getattr(where, "phone", ""))


@register.filter(name="phone")
def phone(value: object, where: object = "US") -> str:
    return phone_display(value, region=_region(where))


@register.filter(name="language_name")
def language_name(value: object) -> str:
    return _language_name(value)
