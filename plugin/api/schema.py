"""The storefront schema: queries and mutations over the referral and rewards services.

Every answer is a payload with `errors` (enum codes) so a storefront can show why; nothing a
shopper may cause raises a top-level GraphQL error.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from decimal import Decimal
from typing import Any

import graphene
from django.conf import settings
from django_ratelimit.core import is_ratelimited

from plugin.api import types
from plugin.api.auth import ApiAuthError, Shopper, caller_key
from plugin.referrals.codes import code_normalise
from plugin.referrals.links import referral_link, referral_qr_url
from plugin.referrals.selectors import (
    referral_code_get,
    referral_code_of_customer,
    referral_code_stats,
    referral_leaderboard,
)
from plugin.referrals.services import referral_code_create

VALIDATE_RATE = getattr(settings, "REFERRAL_VALIDATE_RATE", "20/m")
MAX_LEADERBOARD = 50


def _error(code: str, message: str, field: str | None = None) -> types.ReferralError:
    return types.ReferralError(code=code, message=message, field=field)


def _failed(payload: type, error: ApiAuthError | types.ReferralError, **empty: Any):
    if isinstance(error, ApiAuthError):
        error = _error(error.code, error.message)
    return payload(errors=[error], **empty)


def _shop(info: Any):
    shop = info.context.shop
    if isinstance(shop, ApiAuthError):
        raise shop
    return shop


def _shopper(info: Any) -> Shopper:
    shopper = info.context.shopper
    if isinstance(shopper, ApiAuthError):
        raise shopper
    return shopper


def _rewards_module(name: str):
    """The rewards app's selectors/services; a typed error when that part is missing."""
    try:
        return importlib.import_module(f"plugin.rewards.{name}")
    except ImportError as exc:
        raise ApiAuthError("UNAVAILABLE", "rewards are not available") from exc


def _money(amount: Any, currency: str) -> types.Money:
    return types.Money(amount=str(amount), currency=currency)


def _earnings(shopper: Shopper) -> list[types.Money]:
    selectors = _rewards_module("selectors")
    totals: dict[str, Decimal] = defaultdict(Decimal)
    views = selectors.rewards_for_customer(**shopper.who)
    for view in views:
        if view.state == "issued" and view.amount is not None:
            totals[view.amount.currency] += view.amount.amount
    return [_money(amount, currency) for currency, amount in sorted(totals.items())]


def _absolute(info: Any, path: str) -> str:
    return (settings.APP_URL or info.context.build_absolute_uri("/").rstrip("/")) + path


class Query(graphene.ObjectType):
    my_referral = graphene.Field(
        types.MyReferralPayload,
        required=True,
        description="The shopper's referral code (made on first ask), link, QR and counts.",
    )
    my_rewards = graphene.Field(
        types.MyRewardsPayload, required=True, description="Rewards the signed-in shopper earned."
    )
    points_balance = graphene.Field(
        types.PointsBalancePayload, required=True, description="The signed-in shopper's points."
    )
    referral_code_validate = graphene.Field(
        types.CodeValidation,
        required=True,
        code=graphene.String(required=True, description="The code as typed or from a link."),
        description="Public, rate-limited (per shopper when signed in, else per address): "
        "whether a referral code is active in this shop.",
    )
    leaderboard = graphene.Field(
        types.LeaderboardPayload,
        required=True,
        limit=graphene.Int(default_value=10, description="How many entries (1-50)."),
        description="Public: top referrers who opted in to be shown by name.",
    )

    def resolve_my_referral(self, info: Any) -> Any:
        try:
            shopper = _shopper(info)
        except ApiAuthError as error:
            return _failed(types.MyReferralPayload, error, referral=None)
        code = referral_code_create(**shopper.who)
        errors: list[types.ReferralError] = []
        try:
            earnings = _earnings(shopper)
        except ApiAuthError as error:  # the code still works without the rewards part
            earnings, errors = [], [_error(error.code, error.message, "earnings")]
        stats = referral_code_stats(code=code)
        base = _absolute(info, "")
        qr = {
            kind: referral_qr_url(code=code, kind=kind, request_base=base)
            for kind in ("svg", "png")
        }
        referral = types.MyReferral(
            code=code.code,
            link=referral_link(code=code, request_base=base),
            qr_svg_url=qr["svg"],
            qr_png_url=qr["png"],
            earnings=earnings,
            leaderboard_name=code.leaderboard_name or None,
            **stats,
        )
        return types.MyReferralPayload(referral=referral, errors=errors)

    def resolve_my_rewards(self, info: Any) -> Any:
        try:
            shopper = _shopper(info)
            views = _rewards_module("selectors").rewards_for_customer(**shopper.who)
        except ApiAuthError as error:
            return _failed(types.MyRewardsPayload, error, rewards=[])
        rewards = [
            types.Reward(
                id=str(view.id),
                kind=view.kind,
                state=view.state,
                amount=_money(view.amount.amount, view.amount.currency) if view.amount else None,
                points=view.points,
                order_number=view.order_number or None,
                reason=view.reason or None,
                due_at=view.due_at,
                created_at=view.created_at,
            )
            for view in views
        ]
        return types.MyRewardsPayload(rewards=rewards, errors=[])

    def resolve_points_balance(self, info: Any) -> Any:
        try:
            shopper = _shopper(info)
            points = _rewards_module("selectors").points_balance(**shopper.who)
        except ApiAuthError as error:
            return _failed(types.PointsBalancePayload, error, points=None)
        return types.PointsBalancePayload(points=points, errors=[])

    def resolve_referral_code_validate(self, info: Any, code: str) -> Any:
        try:
            shop = _shop(info)
        except ApiAuthError as error:
            return _failed(types.CodeValidation, error, valid=False)
        if is_ratelimited(
            info.context,
            group="api.referralCodeValidate",
            key=caller_key,
            rate=VALIDATE_RATE,
            increment=True,
        ):
            return _failed(
                types.CodeValidation, _error("RATE_LIMITED", "too many code checks"), valid=False
            )
        if len(code) > 64:
            return _failed(
                types.CodeValidation, _error("INVALID_INPUT", "code too long", "code"), valid=False
            )
        found = referral_code_get(installation=shop, code=code)
        if found is None:
            return types.CodeValidation(
                valid=False,
                code=code_normalise(code),
                errors=[_error("INVALID_CODE", "no active referral code like this", "code")],
            )
        return types.CodeValidation(valid=True, code=found.code, errors=[])

    def resolve_leaderboard(self, info: Any, limit: int = 10) -> Any:
        try:
            shop = _shop(info)
        except ApiAuthError as error:
            return _failed(types.LeaderboardPayload, error, entries=[])
        if not 1 <= limit <= MAX_LEADERBOARD:
            error = _error("INVALID_INPUT", f"limit must be 1-{MAX_LEADERBOARD}", "limit")
            return _failed(types.LeaderboardPayload, error, entries=[])
        rows = referral_leaderboard(installation=shop, limit=limit)
        entries = [
            types.LeaderboardEntry(rank=n, name=name, score=score)
            for n, (name, score) in enumerate(rows, start=1)
        ]
        return types.LeaderboardPayload(entries=entries, errors=[])


class RedeemPoints(graphene.Mutation):
    """Spend points for a single-use voucher code."""

    class Arguments:
        points = graphene.Int(required=True, description="How many points to spend (> 0).")

    Output = types.RedeemPointsPayload

    def mutate(self, info: Any, points: int) -> Any:
        try:
            shopper = _shopper(info)
            services = _rewards_module("services")
            selectors = _rewards_module("selectors")
        except ApiAuthError as error:
            return _failed(types.RedeemPointsPayload, error)
        if points <= 0:
            return _failed(
                types.RedeemPointsPayload,
                _error("INVALID_INPUT", "points must be positive", "points"),
            )
        try:
            code = services.points_redeem(**shopper.who, points=points)
        except services.RewardError as error:
            reason = str(error)
            kind = "NOT_ENOUGH_POINTS" if "not enough" in reason else "INVALID_INPUT"
            return _failed(types.RedeemPointsPayload, _error(kind, reason, "points"))
        return types.RedeemPointsPayload(
            voucher_code=code, points=selectors.points_balance(**shopper.who), errors=[]
        )


class LeaderboardOptIn(graphene.Mutation):
    """Show (with a chosen name) or hide the shopper on the public leaderboard."""

    class Arguments:
        name = graphene.String(description="Name to show (2-40 characters); null to opt out.")

    Output = types.LeaderboardOptInPayload

    def mutate(self, info: Any, name: str | None = None) -> Any:
        try:
            shopper = _shopper(info)
        except ApiAuthError as error:
            return _failed(types.LeaderboardOptInPayload, error)
        cleaned = " ".join((name or "").split())
        if name is not None and not 2 <= len(cleaned) <= 40:
            return _failed(
                types.LeaderboardOptInPayload,
                _error("INVALID_INPUT", "a name of 2-40 characters", "name"),
            )
        code = referral_code_of_customer(**shopper.who)
        if code is None:
            code = referral_code_create(**shopper.who)
        code.leaderboard_name = cleaned
        code.save(update_fields=["leaderboard_name"])
        return types.LeaderboardOptInPayload(leaderboard_name=cleaned or None, errors=[])


class Mutation(graphene.ObjectType):
    redeem_points = RedeemPoints.Field(description="Spend points for a voucher code.")
    leaderboard_opt_in = LeaderboardOptIn.Field(description="Opt in to or out of the leaderboard.")


schema = graphene.Schema(query=Query, mutation=Mutation)
