"""What a PDF page draws: the boxes of its painted paths and placed images, from pypdf's operator visitor.

``ingest.layout.read_page`` passes a :class:`Drawings` to the same ``extract_text`` call that gives the text
(``visitor_operand_before``/``visitor_operand_after``), so the drawings cost no second pass over the content
stream; ``ingest.figures`` reads them. Boxes are in page space (the current transformation matrix applied,
and inside a form XObject the form's matrix to the page).
"""

from __future__ import annotations

from typing import Any

MAX_BOXES = 4000  # a page with more painted boxes than this (a map, a dense chart) keeps its first ones
_PAINT = frozenset({b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"})
_PLACED = frozenset({b"m", b"l", b"c", b"v", b"y", b"re", b"Do"})  # operators with points or a place to map
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in page space


class Drawings:
    """Collects what a page draws from pypdf's operator visitor: ``page.extract_text(visitor_operand_before=
    drawings.before, visitor_operand_after=drawings.after)``; ``boxes`` are the painted paths, ``images`` the
    placed images.

    pypdf reads a form XObject (``Do``) with a fresh state, in the form's own space; this collector keeps the
    matrix from that space to the page (the form's ``/Matrix`` times the matrix in force at its ``Do``), so
    the boxes of a form's drawings, and the places of its text (``to_page``, ``ingest.layout.read_page``),
    are in page space too.
    """

    def __init__(self, resources: Any = None) -> None:
        self.boxes: list[Box] = []  # painted paths
        self.images: list[Box] = []  # placed images (a photo, a screenshot: text beside it is no label)
        self.forms: list[Box] = []  # placed form XObjects, by their /BBox (a Beamer bullet ball is a form)
        self._points: list[tuple[float, float]] = []
        self._stack: list[tuple[list[float], Any]] = []  # per form entered: its matrix to the page, its resources
        self._resources = resources
        self._entering: tuple[list[float], Any] | None = None  # a form's Do was seen, its first operator not yet
        self._image_do = False

    @property
    def to_page(self) -> list[float] | None:
        """The matrix from the space pypdf reports positions in to page space (None: they are in page space)."""
        return self._stack[-1][0] if self._stack else None

    @property
    def resources(self) -> Any:
        """The resources in force: the form XObject's being read, or the page's."""
        return self._stack[-1][1] if self._stack else self._resources

    def before(self, operator: bytes, operands: Any, cm: Any, _tm: Any) -> None:
        if self._entering is not None:  # the first operator inside a form XObject
            self._stack.append(self._entering)
            self._entering = None
        if operator not in _PLACED and operator not in _PAINT and operator != b"n":
            return  # no path, paint or XObject operator: nothing to record (most operators are text)
        try:
            matrix = [float(v) for v in cm] if operator in _PLACED else []
            if self._stack and matrix:
                matrix = _mult(matrix, self._stack[-1][0])
            if operator in (b"m", b"l"):
                self._points.append(_apply(matrix, float(operands[0]), float(operands[1])))
            elif operator == b"c":
                self._points += [_apply(matrix, float(operands[i]), float(operands[i + 1])) for i in (0, 2, 4)]
            elif operator in (b"v", b"y"):
                self._points += [_apply(matrix, float(operands[i]), float(operands[i + 1])) for i in (0, 2)]
            elif operator == b"re":
                x, y, w, h = (float(v) for v in operands[:4])
                self._points += [_apply(matrix, x, y), _apply(matrix, x + w, y + h), _apply(matrix, x, y + h),
                                 _apply(matrix, x + w, y)]
            elif operator in _PAINT:
                self._close()
            elif operator == b"n":
                self._points = []  # a clipping path: nothing is painted
            elif operator == b"Do" and operands:
                self._do(operands[0], matrix)
        except Exception:  # a malformed operand or XObject: that drawing is not kept, the text is read as ever
            self._points = []

    def after(self, operator: bytes, _operands: Any, _cm: Any, _tm: Any) -> None:
        if operator == b"Do":
            if self._entering is not None or self._image_do:  # an image, or a form without operators
                self._entering, self._image_do = None, False
            elif self._stack:
                self._stack.pop()

    def _do(self, name: Any, matrix: list[float]) -> None:
        resources = self._stack[-1][1] if self._stack else self._resources
        xobjects = resources.get("/XObject") if resources is not None else None
        xobject = xobjects[name].get_object() if xobjects is not None and name in xobjects else None
        if xobject is not None and xobject.get("/Subtype") == "/Form":
            form = [float(v) for v in xobject.get("/Matrix", [1, 0, 0, 1, 0, 0])]
            inner = xobject.get("/Resources")
            self._entering = (_mult(form, matrix), inner.get_object() if inner is not None else resources)
            self._form_box(xobject, self._entering[0])
        else:  # an image fills the unit square of its matrix
            self._image_do = True
            corners = [_apply(matrix, 0, 0), _apply(matrix, 1, 1), _apply(matrix, 0, 1), _apply(matrix, 1, 0)]
            self.images.append((min(x for x, _ in corners), min(y for _, y in corners),
                                max(x for x, _ in corners), max(y for _, y in corners)))

    def _form_box(self, xobject: Any, matrix: list[float]) -> None:
        bbox = xobject.get("/BBox")
        if bbox is None or len(self.forms) >= MAX_BOXES:
            return
        x0, y0, x1, y1 = (float(v) for v in bbox)
        corners = [_apply(matrix, x0, y0), _apply(matrix, x1, y1), _apply(matrix, x0, y1), _apply(matrix, x1, y0)]
        self.forms.append((min(x for x, _ in corners), min(y for _, y in corners),
                           max(x for x, _ in corners), max(y for _, y in corners)))

    def _close(self) -> None:
        if self._points and len(self.boxes) < MAX_BOXES:
            xs = [p[0] for p in self._points]
            ys = [p[1] for p in self._points]
            self.boxes.append((min(xs), min(ys), max(xs), max(ys)))
        self._points = []


def _mult(m: list[float], n: list[float]) -> list[float]:
    """The product of two PDF matrices [a b c d e f] (first ``m``, then ``n``)."""
    return [
        m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2], m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5],
    ]


def _apply(m: list[float], x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]
