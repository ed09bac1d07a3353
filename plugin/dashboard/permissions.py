"""Which Saleor permission each kind of dashboard request needs: what Saleor itself asks of a
staff member for the same data or change. Each must be in the manifest's `permissions`, since
Saleor puts in the dashboard token only the permissions the user and the app both hold."""

from __future__ import annotations

# Anything naming customers: codes and their owners, referrals, rewards, review items, contest
# standings, sleeping customers, the audit log (its details name customers).
CUSTOMER_DATA = ("MANAGE_USERS",)
# Figures drawn from the shop's orders: recent orders as sandbox facts, backtests, overview.
ORDER_DATA = ("MANAGE_ORDERS",)
# Changes to what is given away: the program (draft included, since a publish without `source`
# puts the draft live), settings, messages, review decisions, codes, the return rate.
DISCOUNT_CHANGE = ("MANAGE_DISCOUNTS",)
