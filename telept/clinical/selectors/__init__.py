"""Reads of the clinical record, scoped to the actor and audited (one module per part).

Scope everywhere: a patient reads only their own record (and never a draft note); staff
read only their practice's. Anything outside the scope raises `NotFound`, exactly like a
missing row, so an id of another practice or patient reveals nothing.
"""
