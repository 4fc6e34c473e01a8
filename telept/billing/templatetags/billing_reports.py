"""Money as people read it on billing pages: $1,234.56 (telept.billing.reports.money)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from telept.billing.reports import money as _money

register = template.Library()


@register.filter
def money(value: object) -> str:
    try:
        return _money(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return ""
