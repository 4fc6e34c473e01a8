"""Scheduling pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from telept.lib.errors import DomainError
from telept.scheduling.links import join_link_check, join_window


def join(request: HttpRequest, token: str) -> HttpResponse:
    """Where a join link lands. No sign-in needed: the link itself is the credential.
    Shows no clinical data; the video visit page replaces this placeholder."""
    try:
        link = join_link_check(raw=token)
    except DomainError as exc:
        return render(request, "scheduling/join_refused.html", {"message": exc.message,
                      "code": exc.code}, status=exc.status if exc.status != 400 else 403)
    opens, closes = join_window(link.appointment)
    return render(request, "scheduling/join.html", {
        "link": link, "appointment": link.appointment, "opens": opens, "closes": closes})
