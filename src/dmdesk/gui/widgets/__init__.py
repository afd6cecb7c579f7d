"""Widgets any area or dialog may use: they know no entity (no site, product or order), only
how to show what they are given (facts, small tables, a refusal)."""
