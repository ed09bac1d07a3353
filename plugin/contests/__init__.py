"""Referral contests: live leaderboards from the program's `contest` blocks, finalised once."""
