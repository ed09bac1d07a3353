"""Saleor Referrals: the Saleor app (Django) that runs merchants' referral programs."""
