"""FHIR R4 facade over TelePT (issue 11): pure mappers, a thin router, OperationOutcome errors.

Nothing imports `telept.fhir`; it reads the domain through the same scoped selectors as the
pages and the JSON API. See `access` (who is calling), `registry` (which types, scoped how),
`views` (the router) and `mappers/` (model -> JSON-ready FHIR R4 dict).
"""
