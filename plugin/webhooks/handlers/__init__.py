"""Webhook handlers: each takes a stored delivery and calls a use case (listed in `registry`)."""
