from django.contrib import admin
from django.urls import include, path

from telept import views
from telept.api import api
from telept.billing import views_money as billing_money
from telept.patients import views as patient_views

# The Django admin is for superusers only (not practice admins, who use the app's pages).
admin.site.has_permission = lambda request: bool(  # type: ignore[method-assign]
    request.user.is_active and request.user.is_superuser)
admin.site.site_header = "TelePT system administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("", include("telept.ops.urls")),  # /healthz, /readyz, /metrics
    path("accounts/", include("telept.accounts.urls")),
    path("patients/", include("telept.patients.urls")),
    path("patients/import/", include("telept.imports.urls")),
    path("portal/", patient_views.portal_home, name="portal"),
    path("portal/statements/", billing_money.portal_statements, name="portal_statements"),
    path("portal/statements/<int:statement_id>.pdf", billing_money.portal_statement_pdf,
         name="portal_statement_pdf"),
    path("portal/superbill.pdf", billing_money.portal_superbill_pdf,
         name="portal_superbill_pdf"),
    path("practice/", include("telept.practices.urls")),
    path("audit/", include("telept.audit.urls")),
    path("notifications/", include("telept.notifications.urls")),
    path("billing/", include("telept.billing.urls")),
    path("", include("telept.scheduling.urls")),
    path("", include("telept.exercises.urls")),
    path("", include("telept.visits.urls")),
    path("", include("telept.groupvideo.urls")),
    path("", include("telept.clinical.urls")),
    path("", include("telept.rtm.urls")),
    path("api/v1/", api.urls),
    path("fhir/R4/", include("telept.fhir.urls")),
    path("admin/", admin.site.urls),
]
