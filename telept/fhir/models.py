"""Models of the FHIR app. Each part keeps its own module; they are imported here so Django
finds them: SMART authorisation (`smart_models`) and Bulk Data export (`bulk_models`)."""

from telept.fhir.bulk_models import BulkExport, BulkFile  # noqa: F401
from telept.fhir.smart_models import AssertionUse, SmartClient, TokenAttempt  # noqa: F401
