"""What the Messages page starts from: the shipped wording of each editable e-mail written
with `$placeholders`, and sample values a preview renders it with."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

LABELS = {
    "referral_invite": "Invite",
    "referral_followup": "Follow-up",
    "social_share": "Social share",
    "win_back": "Win-back",
    "reorder_reminder": "Reorder reminder",
}

STARTERS: dict[str, tuple[str, str]] = {
    "referral_invite": (
        "$name, share $shop_name and get rewarded",
        "Hello $name,\n\nThank you for your order! If you like $shop_name, tell your friends: "
        "when a friend orders through your link, you both get a reward.\n\n"
        "Your personal link: $link\nYour code: $code\n"
        "Your QR code (to show or print): $qr_url\n\n$share_text\n\n"
        "Don't want these e-mails? $unsubscribe_url",
    ),
    "referral_followup": (
        "Your friends are still waiting for your $shop_name link",
        "Hello $name,\n\nA quick reminder: your personal link still gives your friends a reward "
        "on their first order, and you one too.\n\nYour link: $link\nYour code: $code\n\n"
        "$share_text\n\nThis is the only reminder we send. "
        "Don't want these e-mails? $unsubscribe_url",
    ),
    "social_share": (
        "A gift from me at $shop_name",
        'Copy to share: "I shop at $shop_name and love it. Use my link for a discount on your '
        'first order: $link"',
    ),
    "win_back": (
        "We miss you at $shop_name: $offer",
        "Hello,\n\nIt has been a while since your last order at $shop_name. To welcome you "
        "back: $offer.\n\nYour code: $code\nValid until $expires.\n\n"
        "Don't want these e-mails? $unsubscribe_url",
    ),
    "reorder_reminder": (
        "Time to restock at $shop_name?",
        "Hello $name,\n\nYou usually order from $shop_name about every $usual_days days, so you "
        "may be running low around $next_order.\n\nRepeat your last order in one click: "
        "$reorder_url\n\nDon't want these e-mails? $unsubscribe_url",
    ),
}


def sample_context(*, request_base: str) -> dict[str, str]:
    """Believable values for every placeholder (a made-up customer, never a real one)."""
    base = (settings.APP_URL or request_base).rstrip("/")
    today = timezone.localdate()
    link = f"{base}/r/ALEX-7K2Q"
    return {
        "name": "Alex",
        "link": link,
        "code": "ALEX-7K2Q",
        "qr_url": f"{link}/qr.svg",
        "unsubscribe_url": f"{base}/u/sample",
        "offer": "15% off your next order",
        "expires": (today + timedelta(days=14)).isoformat(),
        "usual_days": "30",
        "next_order": (today + timedelta(days=3)).isoformat(),
        "reorder_url": "https://shop.example.com/reorder/sample",
    }
