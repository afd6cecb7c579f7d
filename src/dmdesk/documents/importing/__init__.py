"""Importing products, BOM lines, contacts and stock counts from .xlsx and .csv files.

The parts, each with one purpose: ``sniff`` (what the file is, from its bytes), ``reader``
(rows, streamed), ``columns`` and ``mapping`` (which column is which field), ``cells`` (cell
values to field values), ``kind_*`` (per-kind checks and writes), ``run`` (check, then write in
one transaction), ``preview`` (the wizard's first look).
"""

from dmdesk.documents.importing.base import UpdatePlan
from dmdesk.documents.importing.kinds import KINDS, get_kind
from dmdesk.documents.importing.preview import Preview, preview_file
from dmdesk.documents.importing.problems import (
    ImportRefusedError,
    Problem,
    problem_lines,
    write_problems_csv,
)
from dmdesk.documents.importing.run import ImportResult, check_file, import_file

__all__ = ["KINDS", "ImportRefusedError", "ImportResult", "Preview", "Problem",
           "UpdatePlan", "check_file", "get_kind", "import_file", "preview_file",
           "problem_lines", "write_problems_csv"]
