"""Every ReportLab internal dmdesk touches, in this one module, each named with why.

pyproject pins ReportLab's major version (``reportlab>=4.0,<6``: tested on 4.x and 5.1); within
it these internals have stayed put, but they are not promised. tests/unit/
test_reportlab_private.py checks each one (exists, and still means what we use it for), so an
upgrade that changes one fails there, naming it, instead of printing a garbled sheet. Nothing
outside this module reads a ReportLab attribute whose name starts with ``_`` or relies on one
of the undocumented members below.

Private (underscore) attributes:

- ``Canvas._doc``: the ``PDFDocument`` a canvas writes to. TrueType text is encoded per
  document (``TTFont.splitString(text, doc)``, ``getSubsetInternalName(subset, doc)``: public
  methods that take the document), and forms and images are added to it (thumbnails); the
  canvas offers no public way to get it.
- ``Canvas._code``, ``Canvas._preamble``: a page's operators so far, read back when a
  thumbnail drawn on a throwaway canvas is recorded as a form (``thumbnails/record.py``).
  (Writing operators uses the public ``Canvas.addLiteral``.)
- ``Canvas._formsinuse``, ``Canvas._colorsUsed``, ``Canvas._shadingUsed``: whether that page
  used forms, colour spaces or shadings, whose resources a recorded form could not carry.
- ``Canvas._extgstate._c``: the ExtGState entries (opacity) that page used, by name.
- ``PDFTextObject._formatText`` (overridden), ``._fontname``, ``._fontsize``, ``._leading``,
  ``._canvas``: recording TrueType text as markers, encoded later per document.

Undocumented (public-looking) members the font subset cache relies on (``font_subsets.py``):

- ``TTFont.addObjects(doc)`` (replaced on our own TTFont instances), ``TTFont.state[doc]``
  with ``.subsets`` and ``.frozen``, ``TTFontFace.addSubsetObjects`` and ``.makeSubset``,
  ``TTFontFace.subfontNameX``, ``ttfonts.SUBSETN``, ``PDFDocument.compression``,
  ``PDFDocument.idToObject["BasicFonts"]``, ``PDFDocument.delayedFonts``: the steps by which
  ReportLab embeds a TrueType subset, redone with bytes made once per process (about 20 ms a
  document on this machine's load; a fifth of a one-page job sheet).
"""

from __future__ import annotations

from typing import Any

from reportlab.pdfgen.canvas import Canvas

__all__ = ["document_of", "page_fonts", "recorded_operators", "recorded_states",
           "replayable"]


def document_of(canvas: Canvas) -> Any:
    """The ``PDFDocument`` ``canvas`` writes (``Canvas._doc``)."""
    return canvas._doc


def recorded_operators(canvas: Canvas) -> list[str]:
    """The preamble and the operators drawn on ``canvas``'s current page so far."""
    return [canvas._preamble, *canvas._code]


def replayable(canvas: Canvas) -> bool:
    """Whether what ``canvas`` drew needs only fonts, ExtGStates and images: no delayed
    (shaped) fonts, forms, colour spaces or shadings."""
    doc = canvas._doc
    return not (doc.delayedFonts or canvas._formsinuse or canvas._colorsUsed
                or canvas._shadingUsed)


def recorded_states(canvas: Canvas) -> list[tuple[str, str, Any]]:
    """The ExtGState entries ``canvas`` used: (name, key, value)."""
    return [(name, key, value) for (key, value), name in canvas._extgstate._c.items()]


def page_fonts(doc: Any) -> dict[str, Any]:
    """The document's page-level font dictionary (``idToObject["BasicFonts"].dict``), where
    an embedded font's object is registered under its internal name."""
    return doc.idToObject["BasicFonts"].dict  # type: ignore[no-any-return]


class TextRecorder:
    """Mix-in for a ``PDFTextObject`` subclass: ``_formatText`` (ReportLab's per-run text
    encoder, private) routes TrueType text of type ``str`` to ``record_run(font, size,
    leading, text)``, which returns the operators to write in its place."""

    def _formatText(self, text: str | bytes) -> str:  # noqa: N802 (ReportLab's name)
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        this: Any = self
        font = pdfmetrics.getFont(this._fontname)
        if not isinstance(font, TTFont) or type(text) is not str:
            # Type 1 text, or shaped text (a ShapedStr): as ReportLab writes it.
            return str(super()._formatText(text))  # type: ignore[misc]
        return self.record_run(this._fontname, float(this._fontsize), float(this._leading),
                               text)

    def record_run(self, font: str, size: float, leading: float, text: str) -> str:
        raise NotImplementedError

    @property
    def owner(self) -> Canvas:
        """The canvas this text object belongs to (``PDFTextObject._canvas``)."""
        return self._canvas  # type: ignore[attr-defined]
