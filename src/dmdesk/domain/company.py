"""The settings that hold the company's details printed on every document's header: written
by services/settings.py, read by queries/settings.py (which may not import each other)."""

from __future__ import annotations

COMPANY_NAME = "company_name"
COMPANY_ADDRESS = "company_address"  # its lines, separated by line breaks
COMPANY_LOGO = "company_logo"  # the image file's bytes, base64: a PDF must not need the file
COMPANY_KEYS = (COMPANY_NAME, COMPANY_ADDRESS, COMPANY_LOGO)
