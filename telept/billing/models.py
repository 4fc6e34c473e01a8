"""Billing data: the code catalogue, fee schedules, charges, claims, batches, remittances and
patient money.

Read these only through `telept.billing.selectors` (scoped, audited: claims are PHI); write
them only through `telept.billing.services`. Money is Decimal everywhere, and the database
checks what it can: amounts that cannot be negative, one current charge per note, control
numbers unique per sender, the same 835 file (and the same claim payment) posted once.

Lifecycle, in short:
- signing a note (clinical's `note_finalised` signal) creates the visit's Charge (one current
  revision per note) with rated ChargeLines (units, modifiers, POS, each with its `why`);
- `claim_build` turns a charge into a Claim (scrubbed: "to review", "ready" or "rejected");
- `batch_create` puts a payer's ready claims in a ClaimBatch (one interchange, its 837P text
  validated by pyx12 and the 999 kept) and offers it through a transport;
- `remittance_post` reads an 835 into ClaimPayments and Adjustments, moving claims to paid,
  partially paid or denied;
- a visit without coverage is self-pay: priced on the practice's self-pay fee schedule, never
  a claim, straight onto the patient's balance;
- PatientPayments are what staff record at the desk; the balance is self-pay charges plus
  patient responsibility from 835s minus payments;
- a capture that failed on signing is a CaptureFailure in the work queue until a retry makes
  the charge.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

ZERO = Decimal("0")
MONEY = {"max_digits": 12, "decimal_places": 2}


class CodeKind(models.TextChoices):
    EVALUATION = "evaluation", "Evaluation"
    TIMED = "timed", "Timed (15-minute units)"
    UNTIMED = "untimed", "Untimed (one per session)"
    RTM = "rtm", "Remote therapeutic monitoring"


class Modality(models.TextChoices):
    VIDEO = "video", "Video"
    AUDIO = "audio", "Audio only"
    IN_PERSON = "in_person", "In person"


class PatientLocation(models.TextChoices):
    HOME = "home", "At home"
    ELSEWHERE = "elsewhere", "Elsewhere (not home)"


class BillingCode(models.Model):
    """One CPT/HCPCS code of the catalogue (loaded from rules/catalogue_data.py by migration
    0002; superusers edit it in the Django admin). Code numbers only: no AMA descriptors."""

    code = models.CharField(max_length=5, unique=True)
    description = models.CharField(max_length=120, help_text="Our own short label.")
    kind = models.CharField(max_length=12, choices=CodeKind.choices)
    timed = models.BooleanField(help_text="Counted in 15-minute units (8-minute rule).")
    medicare_telehealth = models.JSONField(
        default=list, blank=True,
        help_text='Date ranges on the Medicare telehealth list: [["2020-03-01", null], ...].')
    medicare_telehealth_verified = models.BooleanField(default=True)
    audio_only_allowed = models.BooleanField(default=False)
    pta_may_furnish = models.BooleanField(default=True)
    group = models.BooleanField("Group code", default=False)
    daily_max_units = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CodeKind.values),
                                   name="billing_code_kind_known"),
            models.CheckConstraint(condition=Q(timed=False) | Q(kind="timed"),
                                   name="billing_code_only_timed_kind_is_timed"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class PayerBilling(models.Model):
    """How one payer wants claims marked, beyond the payer's own settings (practices.Payer):
    telehealth modifiers and POS overrides, the NCCI distinct modifier, KX/CQ, SBR09."""

    payer = models.OneToOneField("practices.Payer", on_delete=models.CASCADE,
                                 related_name="billing")
    video_modifier = models.CharField(max_length=2, default="95",
                                      choices=[("95", "95"), ("GT", "GT")])
    audio_modifier = models.CharField(max_length=2, default="93",
                                      choices=[("93", "93"), ("FQ", "FQ")])
    telehealth_pos_override = models.CharField(max_length=2, blank=True,
                                               help_text="E.g. 11: telehealth billed as office.")
    distinct_modifier = models.CharField(max_length=2, default="59",
                                         choices=[("59", "59"), ("XU", "XU")])
    applies_kx = models.BooleanField(null=True, blank=True, help_text="Blank: Medicare only.")
    applies_cq = models.BooleanField(null=True, blank=True, help_text="Blank: Medicare only.")
    claim_filing = models.CharField(max_length=2, default="CI",
                                    help_text="SBR09: MB Medicare Part B, CI commercial, ...")

    def __str__(self) -> str:
        return f"Billing settings of {self.payer}"


class FeeSchedule(models.Model):
    """One payer's charge per unit for one code, and whether it covers the code by
    telehealth (for Medicare the Medicare list by date decides; this is for other payers).

    A row without a payer belongs to the practice's self-pay schedule (`practice` set): what
    a visit of a patient without coverage costs. Self-pay visits never become claims."""

    payer = models.ForeignKey("practices.Payer", null=True, blank=True,
                              on_delete=models.CASCADE, related_name="fee_schedule")
    practice = models.ForeignKey("practices.Practice", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+",
                                 help_text="Set on the self-pay schedule (no payer) only.")
    code = models.ForeignKey(BillingCode, on_delete=models.PROTECT, related_name="fees",
                             to_field="code", db_column="code")
    unit_charge = models.DecimalField(**MONEY)
    telehealth_covered = models.BooleanField(default=False)

    class Meta:
        ordering = ["payer", "code"]
        constraints = [
            models.UniqueConstraint(fields=["payer", "code"], name="fee_one_per_payer_code"),
            models.UniqueConstraint(fields=["practice", "code"], condition=Q(payer__isnull=True),
                                    name="fee_self_pay_one_per_code"),
            models.CheckConstraint(condition=Q(payer__isnull=False, practice__isnull=True)
                                   | Q(payer__isnull=True, practice__isnull=False),
                                   name="fee_names_a_payer_or_is_self_pay"),
            models.CheckConstraint(condition=Q(unit_charge__gte=0),
                                   name="fee_unit_charge_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code_id} at {self.unit_charge} ({self.payer or 'self-pay'})"


class BillingProfile(models.Model):
    """The practice as a billing provider and submitter: what the 837P envelope needs, and
    the counter its interchange control numbers are drawn from (under select_for_update)."""

    practice = models.OneToOneField("practices.Practice", on_delete=models.CASCADE,
                                    related_name="billing_profile")
    organisation_name = models.CharField(max_length=60)
    npi = models.CharField("Group NPI", max_length=10)
    taxonomy = models.CharField(max_length=10, default="225100000X")
    tax_id = models.CharField("EIN", max_length=9)
    address_line1 = models.CharField(max_length=55)
    city = models.CharField(max_length=30)
    state = models.CharField(max_length=2)
    postal_code = models.CharField(max_length=9, help_text="9 digits (ZIP+4).")
    phone = models.CharField(max_length=10, help_text="Digits only.")
    contact_name = models.CharField(max_length=60)
    submitter_id = models.CharField(max_length=15, help_text="ETIN from the clearinghouse.")
    receiver_name = models.CharField(max_length=60, default="CLEARINGHOUSE")
    receiver_id = models.CharField(max_length=15, default="CLEARINGHOUSE")
    test_mode = models.BooleanField(default=True, help_text="ISA15 T (test) or P (production).")
    next_control_number = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.CheckConstraint(
            condition=Q(next_control_number__gte=1) & Q(next_control_number__lte=999_999_999),
            name="billing_profile_control_number_in_range")]

    def __str__(self) -> str:
        return f"Billing profile of {self.practice}"


class Charge(models.Model):
    """One visit's charges (one signed note, one date of service) in one revision.

    A note has one current revision. While no claim of it was submitted, re-rating (an
    addendum that changes minutes) rewrites its lines; once billed it is never changed:
    a new revision replaces it and a corrected (7) or void (8) claim is prepared for review.
    """

    class Status(models.TextChoices):
        OPEN = "open", "To review"
        ON_CLAIM = "on_claim", "On a claim"
        BILLED = "billed", "Billed"
        REPLACED = "replaced", "Replaced by a later revision"
        NOTHING_TO_BILL = "nothing", "Nothing to bill"

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT,
                                 related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT,
                                related_name="charges")
    note = models.ForeignKey("clinical.Note", on_delete=models.PROTECT, related_name="charges")
    appointment = models.ForeignKey("scheduling.Appointment", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    rendering = models.ForeignKey("practices.Provider", on_delete=models.PROTECT,
                                  related_name="+", help_text="The PT the claim names.")
    payer = models.ForeignKey("practices.Payer", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    coverage = models.ForeignKey("patients.Coverage", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    date_of_service = models.DateField()
    modality = models.CharField(max_length=10, choices=Modality.choices)
    patient_location = models.CharField(max_length=10, choices=PatientLocation.choices,
                                        blank=True, help_text="Telehealth: blank = unknown.")
    patient_state = models.CharField(max_length=2, blank=True)
    diagnoses = models.JSONField(default=list, blank=True,
                                 help_text="ICD-10-CM codes; a line's pointer 1 is the first.")
    units_method = models.CharField(max_length=3, default="cms",
                                    choices=[("cms", "CMS"), ("ama", "AMA")])
    pos = models.CharField("Place of service", max_length=2, blank=True)
    pos_why = models.CharField(max_length=400, blank=True)
    total_charge = models.DecimalField(**MONEY, default=ZERO)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    revision = models.PositiveSmallIntegerField(default=1)
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="replaced_by")
    is_current = models.BooleanField(default=True)
    captured_on = models.CharField(max_length=10, default="signed",
                                   help_text="signed, cosigned, addendum or rerate.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date_of_service", "-id"]
        indexes = [models.Index(fields=["practice", "status"], name="charge_practice_status"),
                   models.Index(fields=["patient", "date_of_service"], name="charge_patient_dos")]
        constraints = [
            models.UniqueConstraint(fields=["note"], condition=Q(is_current=True),
                                    name="charge_one_current_per_note"),
            models.UniqueConstraint(fields=["note", "revision"], name="charge_revision_unique"),
            models.CheckConstraint(condition=Q(total_charge__gte=0),
                                   name="charge_total_not_negative"),
            models.CheckConstraint(condition=Q(modality__in=Modality.values),
                                   name="charge_modality_known"),
            models.CheckConstraint(
                condition=Q(status__in=["open", "on_claim", "billed", "replaced", "nothing"]),
                name="charge_status_known"),
            models.CheckConstraint(condition=~Q(status="replaced") | Q(is_current=False),
                                   name="charge_replaced_is_not_current"),
        ]

    def __str__(self) -> str:
        return f"Charge of {self.date_of_service:%d %b %Y} (revision {self.revision})"

    @property
    def is_telehealth(self) -> bool:
        return self.modality != Modality.IN_PERSON


class ChargeLine(models.Model):
    """One code on the visit: minutes from the note, units, modifiers, POS, the charge, and
    the sentence of every rule that set them (`why`: [{"rule", "value", "why"}, ...])."""

    charge = models.ForeignKey(Charge, on_delete=models.CASCADE, related_name="lines")
    number = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=5)
    minutes = models.PositiveSmallIntegerField(default=0)
    pta_minutes = models.PositiveSmallIntegerField(default=0)
    units = models.PositiveSmallIntegerField(default=0)
    modifiers = models.JSONField(default=list, blank=True)
    pos = models.CharField(max_length=2, blank=True)
    dx_pointers = models.JSONField(default=list, blank=True)
    unit_charge = models.DecimalField(**MONEY, default=ZERO)
    amount = models.DecimalField(**MONEY, default=ZERO, help_text="units x unit charge")
    why = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["charge", "number"]
        constraints = [
            models.UniqueConstraint(fields=["charge", "number"], name="charge_line_number"),
            models.CheckConstraint(condition=Q(pta_minutes__lte=F("minutes")),
                                   name="charge_line_pta_within_minutes"),
            models.CheckConstraint(condition=Q(unit_charge__gte=0) & Q(amount__gte=0),
                                   name="charge_line_money_not_negative"),
        ]

    def __str__(self) -> str:
        mods = ":".join(self.modifiers)
        return f"{self.code}{':' + mods if mods else ''} x{self.units}"


class ClaimBatch(models.Model):
    """One payer's claims in one interchange: the 837P text (validated by pyx12 before it is
    offered), the 999 pyx12 wrote, and where the transport left it."""

    class Transport(models.TextChoices):
        HELD = "held", "Not offered (failed validation)"
        READY = "ready", "Ready to download"
        SENT = "sent", "Placed in the outbox"
        FAILED = "failed", "Transport failed"

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT,
                                 related_name="+")
    payer = models.ForeignKey("practices.Payer", on_delete=models.PROTECT, related_name="+")
    control_number = models.PositiveIntegerField()
    x12 = models.TextField(blank=True)
    ack_999 = models.TextField(blank=True)
    valid = models.BooleanField(default=False)
    errors = models.JSONField(default=list, blank=True)
    transport_status = models.CharField(max_length=10, choices=Transport.choices,
                                        default=Transport.HELD)
    transport_name = models.CharField(max_length=40, blank=True)
    transport_ref = models.CharField(max_length=500, blank=True)
    transport_error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "claim batches"
        constraints = [
            models.UniqueConstraint(fields=["practice", "control_number"],
                                    name="batch_control_number_unique"),
            models.CheckConstraint(condition=Q(control_number__gte=1)
                                   & Q(control_number__lte=999_999_999),
                                   name="batch_control_number_in_range"),
            models.CheckConstraint(condition=Q(valid=True) | Q(transport_status="held"),
                                   name="batch_only_valid_files_are_offered"),
        ]

    def __str__(self) -> str:
        return f"Batch {self.control_number:09d}"


class Claim(models.Model):
    """One charge revision billed to one payer. Statuses are the work-queue lanes."""

    class Status(models.TextChoices):
        TO_REVIEW = "to_review", "To review"
        READY = "ready", "Ready"
        REJECTED = "rejected", "Rejected"
        SUBMITTED = "submitted", "Submitted"
        DENIED = "denied", "Denied"
        PAID = "paid", "Paid"
        PARTIALLY_PAID = "partial", "Partially paid"
        REPLACED = "replaced", "Replaced by a corrected claim"

    class Frequency(models.TextChoices):
        ORIGINAL = "1", "Original"
        CORRECTED = "7", "Corrected (replacement)"
        VOID = "8", "Void"

    class RejectedBy(models.TextChoices):
        NONE = "", "—"
        SCRUBBER = "scrubber", "Claim scrubber"
        X12 = "999", "pyx12 (999)"

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT,
                                 related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT,
                                related_name="claims")
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="claims")
    payer = models.ForeignKey("practices.Payer", on_delete=models.PROTECT, related_name="+")
    coverage = models.ForeignKey("patients.Coverage", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    number = models.CharField(max_length=38, unique=True, help_text="CLM01; CLP01 on the 835.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.TO_REVIEW)
    rejected_by = models.CharField(max_length=10, choices=RejectedBy.choices, blank=True)
    frequency = models.CharField(max_length=1, choices=Frequency.choices,
                                 default=Frequency.ORIGINAL)
    original = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="corrections")
    payer_claim_number = models.CharField(max_length=50, blank=True,
                                          help_text="CLP07, the payer's claim control number.")
    review_reason = models.CharField(max_length=400, blank=True)
    scrub_results = models.JSONField(default=list, blank=True,
                                     help_text='[{"code", "severity", "message", "line"}]')
    x12_errors = models.JSONField(default=list, blank=True,
                                  help_text='[{"segment", "position", "element", "loop", ...}]')
    batch = models.ForeignKey(ClaimBatch, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="claims")
    total_charge = models.DecimalField(**MONEY, default=ZERO)
    paid_amount = models.DecimalField(**MONEY, default=ZERO)
    patient_responsibility = models.DecimalField(**MONEY, default=ZERO)
    denial_reason = models.CharField(max_length=500, blank=True)
    next_step = models.CharField(max_length=500, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["practice", "status"], name="claim_practice_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["to_review", "ready", "rejected", "submitted", "denied",
                                        "paid", "partial", "replaced"]),
                name="claim_status_known"),
            models.CheckConstraint(condition=Q(frequency__in=["1", "7", "8"]),
                                   name="claim_frequency_known"),
            models.CheckConstraint(condition=Q(frequency="1") | Q(original__isnull=False),
                                   name="claim_correction_names_original"),
            models.CheckConstraint(condition=Q(total_charge__gte=0)
                                   & Q(patient_responsibility__gte=0),
                                   name="claim_amounts_not_negative"),
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(rejected_by=""),
                                   name="claim_rejection_names_who"),
            models.CheckConstraint(
                condition=~Q(status__in=["submitted", "denied", "paid", "partial"])
                | Q(batch__isnull=False),
                name="claim_submitted_is_in_a_batch"),
        ]

    def __str__(self) -> str:
        return f"Claim {self.number}"

    @property
    def is_submitted(self) -> bool:
        return self.status in (self.Status.SUBMITTED, self.Status.DENIED, self.Status.PAID,
                               self.Status.PARTIALLY_PAID, self.Status.REPLACED)


class Remittance(models.Model):
    """One imported 835 file. Its SHA-256 is unique per practice: the same file twice posts
    nothing the second time."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT,
                                 related_name="+")
    file_hash = models.CharField(max_length=64)
    file_name = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    payer_name = models.CharField(max_length=120, blank=True)
    payer_id = models.CharField(max_length=50, blank=True)
    trace_number = models.CharField(max_length=50, blank=True, help_text="Check or EFT number.")
    payment_method = models.CharField(max_length=3, blank=True)
    payment_amount = models.DecimalField(**MONEY, default=ZERO)
    payment_date = models.DateField(null=True, blank=True)
    unknown_claims = models.JSONField(default=list, blank=True,
                                      help_text="CLP01 values that matched no claim of ours.")
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    posted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-posted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["practice", "file_hash"],
                                               name="remittance_file_posted_once")]

    def __str__(self) -> str:
        return f"Remittance {self.trace_number or self.pk}"


class ClaimPayment(models.Model):
    """One CLP of an 835 posted to one claim. `clp_key` (payer, trace, claim, payer claim
    number, status, amounts) is unique: the same payment in another file posts once."""

    remittance = models.ForeignKey(Remittance, on_delete=models.PROTECT,
                                   related_name="payments")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="payments")
    clp_key = models.CharField(max_length=64, unique=True)
    clp_status = models.CharField(max_length=2, help_text="CLP02: 1 primary, 4 denied, 22 ...")
    charge = models.DecimalField(**MONEY)
    paid = models.DecimalField(**MONEY)
    patient_responsibility = models.DecimalField(**MONEY, default=ZERO)
    payer_claim_number = models.CharField(max_length=50, blank=True)
    posted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["posted_at", "id"]

    def __str__(self) -> str:
        return f"Payment of {self.paid} on {self.claim}"


class Adjustment(models.Model):
    """One CAS adjustment (claim level, or one line's), with its CARC and any RARC remarks."""

    payment = models.ForeignKey(ClaimPayment, on_delete=models.CASCADE,
                                related_name="adjustments")
    line_code = models.CharField(max_length=5, blank=True, help_text="Blank: claim level.")
    group = models.CharField(max_length=2, help_text="CO, PR, OA, PI, CR")
    reason = models.CharField("CARC", max_length=5)
    description = models.CharField(max_length=500, blank=True)
    remarks = models.JSONField(default=list, blank=True,
                               help_text='RARC: [{"code", "description"}]')
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.group}-{self.reason} {self.amount}"


class PatientPayment(models.Model):
    """Money a patient paid at the desk, recorded by staff (no card processing here)."""

    class Method(models.TextChoices):
        CASH = "cash", "Cash"
        CHECK = "check", "Check"
        CARD = "card", "Card (terminal)"

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT,
                                 related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT,
                                related_name="payments")
    amount = models.DecimalField(**MONEY)
    method = models.CharField(max_length=5, choices=Method.choices)
    reference = models.CharField(max_length=60, blank=True,
                                 help_text="Check number or card terminal reference.")
    received_on = models.DateField()
    date_of_service = models.DateField(null=True, blank=True,
                                       help_text="The visit it pays for, when known.")
    memo = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="patient_payment_positive"),
            models.CheckConstraint(condition=Q(method__in=["cash", "check", "card"]),
                                   name="patient_payment_method_known"),
            models.CheckConstraint(condition=Q(method="cash") | ~Q(reference=""),
                                   name="patient_payment_check_or_card_has_reference"),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount}"


class Statement(models.Model):
    """A patient statement as issued: the lines per date of service and the balance on the
    day, kept as issued (the live figures come from the selectors)."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT,
                                 related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT,
                                related_name="statements")
    issued_on = models.DateField()
    balance = models.DecimalField(**MONEY)
    lines = models.JSONField(default=list, blank=True,
                             help_text="[{date_of_service, charges, insurance_paid, "
                                       "adjustments, patient_responsibility, patient_paid}]")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return f"Statement of {self.issued_on:%d %b %Y}"


class PlanOfCareCertification(models.Model):
    """The physician's or NPP's certification of the plan of care an evaluation set (Medicare:
    certified within 30 days, recertified at least every 90), as billing staff record it from
    the signed plan. The scrubber reads it."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT,
                                 related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT,
                                related_name="plan_certifications")
    evaluation = models.OneToOneField("clinical.Note", on_delete=models.PROTECT,
                                      related_name="certification")
    certified_on = models.DateField(null=True, blank=True)
    recertified_on = models.JSONField(default=list, blank=True, help_text="ISO dates.")
    certified_by = models.CharField(max_length=150, blank=True,
                                    help_text="The certifying physician or NPP.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Plan of care certification of {self.evaluation_id}"


class CaptureFailure(models.Model):
    """A signed note whose charges could not be made (the signature stands: capture runs
    after it committed). Shown in the billing work queue until a retry makes the charge;
    what the signal carried (reason, corrected interventions) is kept so the retry re-runs
    the same capture. One open failure per note."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT,
                                 related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT,
                                related_name="+")
    note = models.ForeignKey("clinical.Note", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=10, help_text="signed, cosigned or addendum.")
    interventions = models.JSONField(null=True, blank=True,
                                     help_text="An addendum's corrected interventions.")
    error = models.CharField(max_length=500)
    attempts = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["note"],
                                               condition=Q(resolved_at__isnull=True),
                                               name="capture_failure_one_open_per_note")]

    def __str__(self) -> str:
        return f"Capture failure of note {self.note_id}"
