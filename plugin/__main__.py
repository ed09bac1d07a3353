"""Django's command line for the app, from a checkout or an installed package.

`python -m plugin <command>`, the `saleor-referrals <command>` console script and `manage.py` all
land here: `saleor-referrals migrate`, `saleor-referrals runserver`, `saleor-referrals seed_demo`.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Runs one management command on `plugin.settings` unless DJANGO_SETTINGS_MODULE is set."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plugin.settings")
    from django.core.management import execute_from_command_line  # after the settings choice

    args = list(sys.argv if argv is None else argv)
    if args and os.path.basename(args[0]) == "__main__.py":
        args[0] = "python -m plugin"  # the name Django's help and errors show
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
