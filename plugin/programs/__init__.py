"""Referral programs: the draft, immutable published versions, and the audit log."""
