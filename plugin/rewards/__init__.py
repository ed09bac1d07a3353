"""Rewards: the append-only ledger, the outbox that issues exactly once, points and debts."""
