"""The clinical record: outcome measures and their scoring, telehealth-suitability triage.

The rules of the trade live in pure modules (`measures/`, `triage.py`) that import nothing
of Django, so they can be tested with tables and hypothesis and reused by the API, the FHIR
facade and the management commands alike.
"""
