"""Referral codes, attribution of checkouts and orders, customers' order history, fraud review."""
