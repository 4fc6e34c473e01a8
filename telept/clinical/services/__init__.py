"""Writes of the clinical record: each a transaction that audits in the same transaction.

One module per part. Role checks live here (not only in views) so the API, pages and
commands share them.
"""
