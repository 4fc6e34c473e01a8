"""Billing rules of the trade as pure functions (no Django imports)."""
