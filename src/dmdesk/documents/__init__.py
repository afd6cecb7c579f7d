"""documents layer (see docs/ARCHITECTURE.md)."""
