"""A QR code as a ReportLab flowable, drawn as vector squares (crisp at any zoom or
printer), from segno's module matrix.

segno: pure Python, no Pillow or C extension, maintained, implements ISO/IEC 18004
fully (versions, error-correction levels, ECI); error level M keeps a printed code
readable with a crease or a stamp over a corner.
"""

from __future__ import annotations

import segno
from reportlab.lib import colors
from reportlab.platypus import Flowable

QUIET_ZONE = 4  # modules of white border the standard asks for


class QrCode(Flowable):
    def __init__(self, data: str, size: float) -> None:
        super().__init__()
        self.data = data
        self.size = size
        self.rows = [list(row) for row in segno.make(data, error="m").matrix_iter(border=QUIET_ZONE)]

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        module = self.size / len(self.rows)
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(colors.black)
        top = self.size
        for r, row in enumerate(self.rows):
            c = 0
            while c < len(row):  # one rectangle per run of dark modules
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < len(row) and row[c]:
                    c += 1
                canvas.rect(start * module, top - (r + 1) * module, (c - start) * module, module, stroke=0, fill=1)
        canvas.restoreState()
