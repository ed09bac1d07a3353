"""Who made a change: the staff user from the verified dashboard token, for the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Actor(Protocol):
    """Anything with the staff user's id and e-mail (the dashboard's verified token user)."""

    @property
    def user_id(self) -> str: ...

    @property
    def email(self) -> str: ...


@dataclass(frozen=True, slots=True)
class SystemActor:
    """A change made by the app itself (a command, a migration), not by a person."""

    user_id: str = ""
    email: str = "system"
