from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "telept.billing"
    label = "billing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Charge capture: clinical sends `note_finalised` on commit; billing listens (clinical
        # never imports billing, DESIGN "The apps still to come").
        from telept.billing.services.capture import on_note_finalised
        from telept.clinical.signals import note_finalised

        note_finalised.connect(on_note_finalised, dispatch_uid="billing-charge-capture")
