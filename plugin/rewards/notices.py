"""The reward e-mails (held, issued, voided) to a reward's recipient, through the shop's
templates (`plugin.messages`)."""

from __future__ import annotations

from typing import Any

from plugin.messages.services import message_send
from plugin.rewards.selectors import reward_view


def reward_message_send(*, reward, template: str, **extra: Any) -> bool:
    """One of the reward e-mails (held, issued, voided) to the reward's recipient."""
    view = reward_view(reward=reward)
    context = {
        "reward": view,
        "amount": view.amount,
        "points": view.points,
        "product": getattr(reward, "product", ""),  # a free-product voucher's product slug
        **extra,
    }
    return message_send(
        installation=reward.installation,
        key=f"reward:{reward.pk}:{template}",
        template=template,
        to=reward.recipient_email,
        context=context,
    )
