"""E-mails to shoppers: Django templates a merchant can override, sent once per cause."""
