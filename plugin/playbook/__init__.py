"""The playbook: referral invites at the right moment, win-back of sleeping customers, reorder
reminders, unsubscribes, and the import of the shop's order history."""
