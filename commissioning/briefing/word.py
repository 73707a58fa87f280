"""The briefing as a Word document (python-docx), for the partnership's annual learning report: the
same content as the PDF, each chart a picture whose alternative text is its text alternative."""

import io

from docx import Document
from docx.shared import Cm, Pt

from commissioning.briefing import charts, tables
from commissioning.briefing.report import Briefing

WIDTH_CM = 16.0


def briefing_docx(briefing: Briefing) -> bytes:
    """The Word document of the briefing."""
    document = Document()
    document.styles["Normal"].font.size = Pt(10)
    document.sections[0].header.paragraphs[
        0
    ].text = f"{briefing.title()} · {'publishable' if briefing.publishable else 'internal'} version"
    document.add_heading(briefing.title(), level=0)
    count = f"{briefing.cases} {'case' if briefing.cases == 1 else 'cases'}"
    document.add_paragraph(f"{briefing.subtitle()}: {count}.")
    document.add_paragraph().add_run(briefing.version()).bold = True
    drawn = charts.charts(briefing, dpi=150)
    for section, parts in briefing.sections():
        document.add_heading(section, level=1)
        for part in parts:
            document.add_heading(part.group.title, level=2)
            if part.group.id in drawn:
                document.add_picture(io.BytesIO(drawn[part.group.id]), width=Cm(WIDTH_CM))
                picture = document.inline_shapes[-1]._inline.docPr
                picture.set("title", part.group.title)
                picture.set("descr", tables.text_alternative(part))
                document.add_paragraph(tables.text_alternative(part))
            table = document.add_table(rows=1, cols=len(tables.HEADINGS))
            table.style = "Table Grid"
            for cell, heading in zip(table.rows[0].cells, tables.HEADINGS, strict=True):
                cell.text = heading
                cell.paragraphs[0].runs[0].bold = True
            for f in part.figures:
                for cell, value in zip(table.add_row().cells, tables.row(f), strict=True):
                    cell.text = value
            for line in tables.late_words(part):
                document.add_paragraph(line)
    document.add_heading("How the figures are counted", level=1)
    for line in tables.METHOD:
        document.add_paragraph(line, style="List Bullet")
    if briefing.references:
        document.add_heading("Cases counted", level=1)
        document.add_paragraph(", ".join(briefing.references))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
