"""Place of service for a visit (pure; RULES §1.2).

Telehealth: POS 10 when the patient is at home (a private residence), POS 02 elsewhere
(dates of service from 2022-01-01). In person: the practice's office, POS 11. A payer may
override the telehealth POS (some commercial payers want POS 11 with modifier 95).
"""

from __future__ import annotations

from telept.billing.rules.types import Decision, Modality, PatientLocation, TelehealthBilling


def place_of_service(*, modality: Modality, patient_location: PatientLocation | None,
                     telehealth: TelehealthBilling | None = None,
                     payer_name: str = "This payer", in_person_pos: str = "11") -> Decision:
    if modality == "in_person":
        return Decision(in_person_pos,
                        f"POS {in_person_pos}: the visit took place in person at the practice.",
                        "pos_in_person")
    override = telehealth.pos_override if telehealth else None
    if override:
        return Decision(override,
                        f"POS {override}: {payer_name} wants telehealth billed with POS "
                        f"{override} (its own rule, set on the payer), with the telehealth "
                        "modifier on each line.",
                        "pos_payer_override")
    if patient_location == "home":
        return Decision("10", "POS 10: a telehealth visit with the patient at home, as "
                              "recorded at pre-join (paid at the non-facility rate).",
                        "pos_telehealth_home")
    if patient_location == "elsewhere":
        return Decision("02", "POS 02: a telehealth visit with the patient somewhere other "
                              "than home, as recorded at pre-join.",
                        "pos_telehealth_elsewhere")
    return Decision("02", "POS 02: a telehealth visit whose patient location was not recorded "
                          "at pre-join, so it is not billed as from home. Confirm where the "
                          "patient was; at home it is POS 10.",
                    "pos_telehealth_location_unknown")
