"""Playbook tests share the builders in tests/plugin/contests/contests_testing.py."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "contests"))
