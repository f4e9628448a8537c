"""The Common Industry Format report as a Word document (python-docx): how such reports are
handed in. It writes the same blocks as the HTML (analyzer.report.cif), so the two agree."""
from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_BREAK
from docx.shared import Cm, Pt

from analyzer.report.cif import Block

HEADING_LEVELS = {"h1": 1, "h2": 2, "h3": 3}


def render_cif_docx(blocks: list[Block]) -> bytes:
    """The blocks as a .docx file's bytes: a title page, headings, tables in a grid (the
    analyzer renders; the command writes the file)."""
    document = Document()
    document.styles["Normal"].font.size = Pt(10.5)
    for b in blocks:
        if b.kind == "title":
            for _ in range(6):
                document.add_paragraph()
            document.add_paragraph("ISO/IEC 25062")
            document.add_heading(b.text, level=0)
        elif b.kind == "pagebreak":
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif b.kind in HEADING_LEVELS:
            document.add_heading(b.text, level=HEADING_LEVELS[b.kind])
        elif b.kind == "p":
            document.add_paragraph(b.text)
        elif b.kind == "note":
            document.add_paragraph().add_run(b.text).italic = True
        elif b.kind == "table":
            table = document.add_table(rows=1, cols=len(b.head))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, b.head):
                cell.text = ""
                cell.paragraphs[0].add_run(text).bold = True
            for row in b.rows:
                for cell, text in zip(table.add_row().cells, row):
                    cell.text = text
        elif b.kind == "image" and b.data:
            document.add_picture(io.BytesIO(b.data), width=Cm(15))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
