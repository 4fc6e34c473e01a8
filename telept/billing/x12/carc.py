"""CARC and RARC codes a PT practice meets on an 835, with what to do next.

Wording: the official short descriptions of the X12 Claim Adjustment Reason Code list and the
Remittance Advice Remark Code list (x12.org/codes), without their "Usage:" notes. Checked
against OpenEMR's CARC table (src/Billing/BillingUtilities.php) and a WPC copy of the RARC
list; the lists change three times a year, so an unknown code is shown as its code with
"(description not on file)" rather than guessed.

`next_step(group, carc)` is our hint for the denial work queue: one sentence saying what a
billing person usually does about that adjustment. It is guidance, not a rule of the payer.
"""

from __future__ import annotations

CARC: dict[str, str] = {
    "1": "Deductible Amount",
    "2": "Coinsurance Amount",
    "3": "Co-payment Amount",
    "4": "The procedure code is inconsistent with the modifier used or a required modifier is "
         "missing.",
    "5": "The procedure code/type of bill is inconsistent with the place of service.",
    "6": "The procedure/revenue code is inconsistent with the patient's age.",
    "8": "The procedure code is inconsistent with the provider type/specialty (taxonomy).",
    "11": "The diagnosis is inconsistent with the procedure.",
    "15": "The authorization number is missing, invalid, or does not apply to the billed "
          "services or provider.",
    "16": "Claim/service lacks information or has submission/billing error(s).",
    "18": "Exact duplicate claim/service",
    "22": "This care may be covered by another payer per coordination of benefits.",
    "23": "The impact of prior payer(s) adjudication including payments and/or adjustments.",
    "24": "Charges are covered under a capitation agreement/managed care plan.",
    "26": "Expenses incurred prior to coverage.",
    "27": "Expenses incurred after coverage terminated.",
    "29": "The time limit for filing has expired.",
    "31": "Patient cannot be identified as our insured.",
    "35": "Lifetime benefit maximum has been reached.",
    "45": "Charge exceeds fee schedule/maximum allowable or contracted/legislated fee "
          "arrangement.",
    "50": "These are non-covered services because this is not deemed a 'medical necessity' by "
          "the payer.",
    "58": "Treatment was deemed by the payer to have been rendered in an inappropriate or "
          "invalid place of service.",
    "59": "Processed based on multiple or concurrent procedure rules.",
    "96": "Non-covered charge(s).",
    "97": "The benefit for this service is included in the payment/allowance for another "
          "service/procedure that has already been adjudicated.",
    "109": "Claim/service not covered by this payer/contractor. You must send the "
           "claim/service to the correct payer/contractor.",
    "119": "Benefit maximum for this time period or occurrence has been reached.",
    "140": "Patient/Insured health identification number and name do not match.",
    "146": "Diagnosis was invalid for the date(s) of service reported.",
    "150": "Payer deems the information submitted does not support this level of service.",
    "151": "Payment adjusted because the payer deems the information submitted does not "
           "support this many/frequency of services.",
    "167": "This (these) diagnosis(es) is (are) not covered.",
    "170": "Payment is denied when performed/billed by this type of provider.",
    "181": "Procedure code was invalid on the date of service.",
    "182": "Procedure modifier was invalid on the date of service.",
    "185": "The rendering provider is not eligible to perform the service billed.",
    "197": "Precertification/authorization/notification/pre-treatment absent.",
    "198": "Precertification/notification/authorization/pre-treatment exceeded.",
    "204": "This service/equipment/drug is not covered under the patient's current benefit "
           "plan.",
    "206": "National Provider Identifier - missing.",
    "207": "National Provider identifier - Invalid format",
    "208": "National Provider Identifier - Not matched.",
    "234": "This procedure is not paid separately.",
    "236": "This procedure or procedure/modifier combination is not compatible with another "
           "procedure or procedure/modifier combination provided on the same day according to "
           "the National Correct Coding Initiative or workers compensation state "
           "regulations/fee schedule requirements.",
    "242": "Services not provided by network/primary care providers.",
    "252": "An attachment/other documentation is required to adjudicate this claim/service.",
    "253": "Sequestration - reduction in federal payment",
    "272": "Coverage/program guidelines were not met.",
    "273": "Coverage/program guidelines were exceeded.",
    "A1": "Claim/Service denied.",
    "B7": "This provider was not certified/eligible to be paid for this procedure/service on "
          "this date of service.",
    "B13": "Previously paid. Payment for this claim/service may have been provided in a "
           "previous payment.",
}

RARC: dict[str, str] = {
    "M15": "Separately billed services/tests have been bundled as they are considered "
           "components of the same procedure. Separate payment is not allowed.",
    "M20": "Missing/incomplete/invalid HCPCS.",
    "M51": "Missing/incomplete/invalid procedure code(s).",
    "M76": "Missing/incomplete/invalid diagnosis or condition.",
    "M80": "Not covered when performed during the same session/date as a previously processed "
           "service for the patient.",
    "M86": "Service denied because payment already made for same/similar procedure within set "
           "time frame.",
    "MA01": "Alert: If you do not agree with what we approved for these services, you may "
            "appeal our decision.",
    "MA04": "Secondary payment cannot be considered without the identity of or payment "
            "information from the primary payer. The information was either not reported or "
            "was illegible.",
    "MA130": "Your claim contains incomplete and/or invalid information, and no appeal rights "
             "are afforded because the claim is unprocessable. Submit a new claim with the "
             "complete/correct information.",
    "N4": "Missing/Incomplete/Invalid prior Insurance Carrier(s) EOB.",
    "N20": "Service not payable with other service rendered on the same date.",
    "N30": "Patient ineligible for this service.",
    "N56": "Procedure code billed is not correct/valid for the services billed or the date of "
           "service billed.",
    "N115": "This decision was based on a Local Coverage Determination (LCD).",
    "N130": "Consult plan benefit documents/guidelines for information about restrictions for "
            "this service.",
    "N179": "Additional information has been requested from the member. The charges will be "
            "reconsidered upon receipt of that information.",
    "N211": "Alert: You may not appeal this decision.",
    "N290": "Missing/incomplete/invalid rendering provider primary identifier.",
    "N362": "The number of Days or Units of Service exceeds our acceptable maximum.",
    "N386": "This decision was based on a National Coverage Determination (NCD).",
    "N519": "Invalid combination of HCPCS modifiers.",
    "N657": "This should be billed with the appropriate code for these services.",
}

GROUPS: dict[str, str] = {
    "CO": "Contractual obligation",
    "CR": "Correction and reversal",
    "OA": "Other adjustment",
    "PI": "Payer-initiated reduction",
    "PR": "Patient responsibility",
}

# Our hints, by CARC; a few depend on the group (see next_step).
_NEXT: dict[str, str] = {
    "1": "Bill the patient: the amount went to their deductible.",
    "2": "Bill the patient (or their secondary payer) for the coinsurance.",
    "3": "Collect the co-payment from the patient.",
    "4": "Check the modifiers (GP, 95/93, CQ, KX, 59/XU) against the rule each one came from, "
         "then send a corrected claim (frequency 7).",
    "5": "Check the place of service (10 home, 02 elsewhere, 11 office) against where the "
         "patient was, then send a corrected claim (frequency 7).",
    "11": "Check the diagnosis pointers on each line; correct and resubmit (frequency 7).",
    "15": "Obtain or correct the authorization number, then send a corrected claim.",
    "16": "Read the remark code for the missing item, fix it and send a corrected claim "
          "(frequency 7).",
    "18": "Nothing to resubmit: the payer already has this claim. Check the first claim's "
          "status.",
    "22": "Bill the primary payer first, then send this payer a secondary claim with the "
          "primary's payment (loops 2320/2330).",
    "23": "No action: this reflects what the prior payer paid.",
    "26": "Verify coverage dates; bill the right payer or the patient.",
    "27": "Verify coverage dates; bill the right payer or the patient.",
    "29": "Appeal only with proof of timely filing (a 999/277CA acceptance); otherwise write "
          "off.",
    "31": "Verify the member id and name against the insurance card, correct and resubmit.",
    "45": "No action: contractual write-off (the patient is not billed for it).",
    "50": "Appeal with the plan of care and notes showing medical necessity.",
    "58": "Check the place of service and telehealth modifier, then send a corrected claim.",
    "59": "No action unless the reduction is wrong under the multiple-procedure rules.",
    "96": "Read the remark code; bill the patient only if they signed an ABN/waiver.",
    "97": "Check the NCCI pair: add 59/XU only if the services were distinct, then send a "
          "corrected claim; otherwise write off.",
    "109": "Send the claim to the correct payer.",
    "119": "Visit or benefit limit reached: bill secondary or the patient, or request an "
           "exception.",
    "140": "Correct the member id or name to match the card and resubmit.",
    "146": "Correct the ICD-10-CM code for the date of service and resubmit.",
    "151": "Appeal with documentation supporting the frequency, or write off.",
    "167": "Check the diagnosis codes against the payer's policy; correct or appeal.",
    "170": "Check the rendering provider and taxonomy (PTA lines need CQ); correct or write "
           "off.",
    "181": "Correct the procedure code for the date of service and resubmit.",
    "182": "Correct the modifier for the date of service and resubmit.",
    "185": "Check the rendering provider's enrolment with the payer, then resubmit.",
    "197": "Obtain the authorization (retro if the payer allows) and resubmit, or appeal.",
    "198": "Request an authorization extension for the extra visits/units, then resubmit.",
    "204": "Not a covered benefit: bill the patient if they agreed in writing, else write off.",
    "206": "Add the NPI and resubmit.",
    "207": "Correct the NPI (10 digits, check digit) and resubmit.",
    "208": "Check the NPI against NPPES and the payer's enrolment, then resubmit.",
    "236": "Check the NCCI pair: add 59/XU only if the services were distinct, then send a "
           "corrected claim.",
    "242": "Out of network: check the patient's network benefits; bill the patient or appeal.",
    "252": "Send the requested documentation (notes, plan of care) to the payer.",
    "253": "No action: federal sequestration reduction.",
}


def carc_description(code: str) -> str:
    code = code.strip().upper()
    return CARC.get(code, f"Reason {code} (description not on file)")


def rarc_description(code: str) -> str:
    code = code.strip().upper()
    return RARC.get(code, f"Remark {code} (description not on file)")


def group_label(group: str) -> str:
    return GROUPS.get(group.strip().upper(), group)


def next_step(group: str, carc: str) -> str:
    """One sentence for the denial work queue: what a billing person usually does next."""
    group = group.strip().upper()
    carc = carc.strip().upper()
    if group == "PR" and carc in ("1", "2", "3"):
        return _NEXT[carc]
    if group == "PR" and carc in ("45", "204", "96", "50"):
        return "Bill the patient: the payer says the patient owes this amount."
    if group == "CO" and carc == "45":
        return _NEXT["45"]
    if carc in _NEXT:
        return _NEXT[carc]
    if group == "PR":
        return "Review, then bill the patient for their share."
    if group == "CR":
        return "No action: a correction of an earlier payment; check the new claim."
    return "Read the reason and remark codes, then correct and resubmit, appeal or write off."
