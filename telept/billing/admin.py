"""The code catalogue and fee schedules in the Django admin (superusers: the admin site is
theirs). Charges, claims and payments are PHI and stay out of the admin: they are read and
written through the scoped, audited selectors and services."""

from __future__ import annotations

from django.contrib import admin

from telept.billing.models import BillingCode, BillingProfile, FeeSchedule, PayerBilling


@admin.register(BillingCode)
class BillingCodeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "description", "kind", "timed", "audio_only_allowed",
                    "pta_may_furnish", "group", "daily_max_units", "active")
    list_filter = ("kind", "timed", "active")
    search_fields = ("code", "description")


@admin.register(FeeSchedule)
class FeeScheduleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("payer", "code", "unit_charge", "telehealth_covered")
    list_filter = ("payer__practice", "payer")


admin.site.register(PayerBilling)
admin.site.register(BillingProfile)
