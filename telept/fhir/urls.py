"""FHIR R4 routes, mounted at /fhir/R4/ by telept/urls.py (namespace "fhir").

    fhir:metadata     GET /fhir/R4/metadata
    fhir:everything   GET /fhir/R4/Patient/<id>/$everything
    fhir:read         GET /fhir/R4/<Type>/<id>
    fhir:search       GET /fhir/R4/<Type>
The SMART / bulk helper adds its own routes in its own modules (e.g. $export, the export
status and file URLs) and includes them here by appending to `urlpatterns` via
`telept.fhir.bulk.urlpatterns` if present.
"""

from __future__ import annotations

import contextlib
import importlib

from django.urls import URLPattern, URLResolver, path, re_path

from telept.fhir import views

app_name = "fhir"

_ID = r"(?P<rid>[A-Za-z0-9\-\.]{1,64})"
_TYPE = r"(?P<resource_type>[A-Z][A-Za-z]{1,63})"

urlpatterns: list[URLPattern | URLResolver] = [
    path("metadata", views.metadata, name="metadata"),
]

with contextlib.suppress(ImportError):  # the bulk helper's routes, before the generic ones
    urlpatterns += list(getattr(importlib.import_module("telept.fhir.bulk"), "urlpatterns", []))

urlpatterns += [
    re_path(rf"^Patient/{_ID}/\$everything$", views.everything, name="everything"),
    re_path(rf"^{_TYPE}/{_ID}$", views.read, name="read"),
    re_path(rf"^{_TYPE}$", views.search_type, name="search"),
    re_path(r"^(?P<rest>.*)$", views.not_supported, name="not_supported"),
]
