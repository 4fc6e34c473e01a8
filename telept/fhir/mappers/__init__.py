"""Pure mappers: one of our model instances -> a JSON-ready FHIR R4 dict.

One module per resource group (`people`: Patient, Coverage, Condition, Consent; `practice`:
Organization, Location, Practitioner, PractitionerRole; `scheduling`: Appointment, Encounter;
`clinical`: Observation, Questionnaire(Response), Goal, CarePlan, DocumentReference; `billing`:
Claim, ExplanationOfBenefit). No queries beyond the relations the registry's querysets
`select_related`/`prefetch_related`; no settings, no request.
"""
