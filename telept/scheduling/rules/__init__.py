"""Pure rules of scheduling: no Django, no I/O, only values in and values out.

One module per rule, imported explicitly by the services that need it:

- `slots`: bookable slots from weekly availability, busy time and time off (DST-safe),
  and `next_free` across many providers;
- `payer`: payer coverage, the Medicare PT telehealth date table, and licensure;
- `cancellation`: the cancellation cutoff policy.
"""
