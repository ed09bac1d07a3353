"""Reads for partners: the list with their codes and figures, one partner, and which partner
code an order carries (its voucher code, else its `referral_code` / `partner_code` metadata)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet, Sum

from plugin.affiliates.models import Partner, PartnerCode, PartnerOrder, PartnerVisit
from plugin.referrals.codes import code_normalise
from plugin.saleor.mappers.subjects import metadata_of

# The storefront copies a share link's `?ref=` into checkout metadata, which Saleor copies
# onto the order: the key referral links use, or a partner-only one.
METADATA_KEYS = ("partner_code", "referral_code")


def partner_code_in_order(*, installation, order: dict) -> tuple[PartnerCode, str] | None:
    """(the active partner code the order carries, "voucher" | "metadata"), or None."""
    metadata = metadata_of(order)
    candidates = [(order.get("voucherCode") or "", "voucher")]
    candidates += [(metadata.get(key, ""), "metadata") for key in METADATA_KEYS]
    for text, source in candidates:
        code = code_normalise(text)
        if not code:
            continue
        found = PartnerCode.objects.select_related("partner").filter(
            installation=installation, code=code, active=True).first()
        if found is not None:
            return found, source
    return None


def partner_get(*, installation, partner_id: int) -> Partner | None:
    return Partner.objects.filter(installation=installation, pk=partner_id).first()


def partners_list(*, installation) -> QuerySet:
    return Partner.objects.filter(installation=installation).prefetch_related("codes")


def partner_visit_counts(*, installation) -> dict[int, dict[str, int]]:
    """Per partner: visitors of their share links (one a day each), by link and by QR scan."""
    counts: dict[int, dict[str, int]] = {}
    rows = (PartnerVisit.objects.filter(installation=installation)
            .values("code__partner_id", "via").annotate(n=Count("id")).order_by())
    for row in rows:
        counts.setdefault(row["code__partner_id"], {"link": 0, "qr": 0})[row["via"]] = row["n"]
    return counts


def partner_order_figures(*, installation) -> dict[int, list[dict[str, Any]]]:
    """Per partner, per currency: orders brought and their revenue (gross, as first seen)."""
    figures: dict[int, list[dict[str, Any]]] = {}
    rows = (PartnerOrder.objects.filter(installation=installation)
            .values("partner_id", "currency").annotate(orders=Count("id"), revenue=Sum("total"))
            .order_by("partner_id", "currency"))
    for row in rows:
        figures.setdefault(row["partner_id"], []).append(row)
    return figures
