"""What the referral side announces for the app's edge to act on; `apps.py` connects the
receivers (the tasks that mirror codes into Saleor), so the services never import tasks."""

from __future__ import annotations

from django.dispatch import Signal

code_changed = Signal()  # code_id: a code was made, switched off or on; mirror it into Saleor
code_value_changed = Signal()  # installation_id: the typed-code discount changed; re-price all
