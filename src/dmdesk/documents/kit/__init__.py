"""The document kit: what every dmdesk PDF shares (docs/ARCHITECTURE.md, "Where to add").

- ``header``: the company's letter head (logo, name, address, from the settings), placed at
  the top of a document's first page;
- ``footer``: a rule, the document's label and "Page x of y" on every page;
- ``codes``: QR codes (segno) and Code128 (ReportLab's encoder), each drawn as one path;
- ``document``: a titled document laid out down pages with ``sheet_flow`` (blocks placed top
  to bottom, computed before anything is drawn so every page knows the page count), header
  and footer included, written atomically: ``write_document``. The job sheet uses the same
  pieces (``draw_pages``, ``place_letterhead``) for its several sheets in one PDF.

Text is drawn with ``pdf_ink.Ink`` in the fonts of ``fonts.py`` (DejaVu Sans, embedded), which
falls back run by run to Droid Sans Fallback (Chinese, Japanese) and a Hangul font (Korean), so
any script prints. Documents get their data from queries (``queries.settings.company_profile``
for the header) and never read the database while drawing.

This package's ``__init__`` imports nothing, so ``sheet_codes`` can use ``kit.codes`` without
an import cycle through ``kit.document``.
"""
