#!/usr/bin/env python
"""Django's command-line entry point for the Saleor Referrals app (same as `python -m plugin`)."""

from plugin.__main__ import main

if __name__ == "__main__":
    main()
