"""Tables of the network feature (kept apart from models.py, which holds the core data)."""

from __future__ import annotations
