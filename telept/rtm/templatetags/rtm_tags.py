"""Small display helpers of the RTM pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def duration(seconds: int | None) -> str:
    """"4 min 57 s", "20 min", "45 s"."""
    total = int(seconds or 0)
    minutes, rest = divmod(total, 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min" + (f" {rest} s" if rest else "")


@register.filter
def signed(value: float | None) -> str:
    """"+12", "-3.5", "0"."""
    if value is None:
        return ""
    text = f"{value:g}"
    return f"+{text}" if value > 0 else text
