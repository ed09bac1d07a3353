"""GraphQL types of the storefront API: errors as data (enum codes), money, referral, rewards."""

from __future__ import annotations

import graphene


class ReferralErrorCode(graphene.Enum):
    """Why a storefront request did not succeed."""

    UNAUTHENTICATED = "UNAUTHENTICATED"
    INVALID_TOKEN = "INVALID_TOKEN"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    SHOP_UNKNOWN = "SHOP_UNKNOWN"
    RATE_LIMITED = "RATE_LIMITED"
    INVALID_CODE = "INVALID_CODE"
    INVALID_INPUT = "INVALID_INPUT"
    NOT_ENOUGH_POINTS = "NOT_ENOUGH_POINTS"
    UNAVAILABLE = "UNAVAILABLE"

    @property
    def description(self) -> str:
        return {
            "UNAUTHENTICATED": "A customer access token is required (Authorization: Bearer).",
            "INVALID_TOKEN": "The token is not a valid access token of this shop's Saleor.",
            "TOKEN_EXPIRED": "The access token has expired; refresh it with Saleor.",
            "SHOP_UNKNOWN": "The Saleor-Api-Url header names no shop that installed the app.",
            "RATE_LIMITED": "Too many requests; try again in a minute.",
            "INVALID_CODE": "No active referral code is spelled like that.",
            "INVALID_INPUT": "An argument is out of range or malformed.",
            "NOT_ENOUGH_POINTS": "The points balance is lower than the points asked for.",
            "UNAVAILABLE": "This part of the service is not available right now.",
        }[self.name]


class ReferralError(graphene.ObjectType):
    """One problem with a request, as data."""

    code = graphene.Field(ReferralErrorCode, required=True, description="Machine-readable code.")
    message = graphene.String(required=True, description="Human-readable explanation.")
    field = graphene.String(description="The argument at fault, if one is.")


class Money(graphene.ObjectType):
    """An amount in one currency; `amount` is a decimal string in major units."""

    amount = graphene.String(required=True, description="Decimal amount, e.g. `20.00`.")
    currency = graphene.String(required=True, description="ISO 4217 currency code.")


class MyReferral(graphene.ObjectType):
    """The shopper's personal referral code, how to share it and how it is doing."""

    code = graphene.String(required=True, description="The code, easy to read aloud.")
    link = graphene.String(required=True, description="Share link that records visits.")
    qr_svg_url = graphene.String(required=True, description="URL of the QR code as SVG.")
    qr_png_url = graphene.String(required=True, description="URL of the QR code as PNG.")
    visits = graphene.Int(required=True, description="Openings of the share link.")
    signups = graphene.Int(required=True, description="Friends who signed up with the code.")
    referrals = graphene.Int(required=True, description="Friends attributed to the code.")
    converted = graphene.Int(required=True, description="Friends whose order was paid.")
    earnings = graphene.List(
        graphene.NonNull(Money), required=True, description="Rewards issued so far, per currency."
    )
    leaderboard_name = graphene.String(description="Name shown on the leaderboard; null if hidden.")


class Reward(graphene.ObjectType):
    """A reward the shopper earned, in its current state."""

    id = graphene.ID(required=True, description="Reward id.")
    kind = graphene.String(required=True, description="money, points, voucher or discount.")
    state = graphene.String(required=True, description="pending, review, held, issued, voided…")
    amount = graphene.Field(Money, description="Current value of a money reward.")
    points = graphene.Int(description="Points of a points reward.")
    order_number = graphene.String(description="The order that earned it.")
    reason = graphene.String(description="Why it is in this state.")
    due_at = graphene.DateTime(description="When a held reward is due to be issued.")
    created_at = graphene.DateTime(required=True, description="When it was decided.")


class LeaderboardEntry(graphene.ObjectType):
    """One opted-in referrer's standing."""

    rank = graphene.Int(required=True, description="1 for the top referrer.")
    name = graphene.String(required=True, description="The name they chose to show.")
    score = graphene.Int(required=True, description="Friends whose order was paid.")


def _payload(name: str, description: str, **fields: graphene.Field) -> type[graphene.ObjectType]:
    errors = graphene.List(
        graphene.NonNull(ReferralError), required=True, description="Problems; empty on success."
    )
    attrs = {"__doc__": description, "errors": errors, **fields}
    return type(name, (graphene.ObjectType,), attrs)


MyReferralPayload = _payload(
    "MyReferralPayload",
    "The shopper's referral, or why it is not there.",
    referral=graphene.Field(MyReferral, description="Null when there are errors."),
)
MyRewardsPayload = _payload(
    "MyRewardsPayload",
    "The shopper's rewards, newest first.",
    rewards=graphene.List(graphene.NonNull(Reward), required=True, description="The rewards."),
)
PointsBalancePayload = _payload(
    "PointsBalancePayload",
    "The shopper's spendable points.",
    points=graphene.Int(description="Spendable points now; null when there are errors."),
)
CodeValidation = _payload(
    "CodeValidation",
    "Whether a referral code can be used.",
    valid=graphene.Boolean(required=True, description="True for an active code of this shop."),
    code=graphene.String(description="The code as stored (normalised spelling)."),
)
LeaderboardPayload = _payload(
    "LeaderboardPayload",
    "Top referrers who chose to be shown.",
    entries=graphene.List(
        graphene.NonNull(LeaderboardEntry), required=True, description="Best first."
    ),
)
RedeemPointsPayload = _payload(
    "RedeemPointsPayload",
    "The voucher code bought with points.",
    voucher_code=graphene.String(description="Single-use code to type at checkout."),
    points=graphene.Int(description="Points left after redeeming."),
)
LeaderboardOptInPayload = _payload(
    "LeaderboardOptInPayload",
    "The name now shown on the leaderboard (null: hidden).",
    leaderboard_name=graphene.String(description="The name shown, or null when opted out."),
)
