"""Billing writes and workflows, one module per noun: capture (charges from signed notes),
claims, batches (837P, pyx12, transport), remittance (835 posting), payments (patient money).
"""
