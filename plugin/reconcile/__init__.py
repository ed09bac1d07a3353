"""Reconciliation: re-reads recent orders from Saleor's API and replays what webhooks lost."""
