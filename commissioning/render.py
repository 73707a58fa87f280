"""Render a `Terms` content object to Markdown, HTML (jinja2), DOCX (python-docx) and PDF (WeasyPrint).

All four formats read the same content object, so they cannot disagree; only layout lives here.
Bump TEMPLATE_VERSION whenever a template or the DOCX layout changes, so a stored version says
which layout produced it.
"""

import io
import re
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table
from docx.text.run import Run
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from commissioning.terms_document import Milestone, Paragraph, Points, Terms, format_date, from_dict, to_dict
from core.values import printable

TEMPLATE_VERSION = "3"
TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"

# Markdown gives these a meaning anywhere in a line (code, emphasis, links, raw HTML, tables, strikethrough,
# headings' closing marks, character references): each gets a backslash, so it reads as itself. An
# underscore inside a word (between letters or digits) cannot start emphasis, so it is left alone.
_MARKDOWN_INLINE = re.compile(r"[\\`*\[\]<>|~#]|&(?=#?\w+;)|(?<![^\W_])_|_(?![^\W_])")
# And these at the start of a line (lists, headings' underlines, thematic breaks).
_MARKDOWN_LINE_START = re.compile(r"^(?:[-+=]|\d{1,9}(?=[.)](?:[ \t]|$)))")


def escape_markdown(text: object) -> str:
    """``text`` as Markdown that renders as the same words, as the HTML, PDF and DOCX show them.

    Every character Markdown would act on is escaped, and each line is trimmed and blank lines dropped,
    so no line can open a block (a heading, list, code block, quote or raw HTML) and text that people
    wrote stays one paragraph, whatever it holds.
    """
    lines = (line.strip() for line in str(text).splitlines())
    return "\n".join(_escape_line(line) for line in lines if line)


def _escape_line(line: str) -> str:
    escaped = _MARKDOWN_INLINE.sub(lambda match: "\\" + match.group(), line)
    start = _MARKDOWN_LINE_START.match(escaped)
    if start is None:
        return escaped
    if start.group()[0].isdigit():  # "1." or "1)": escape the mark after the number
        return start.group() + "\\" + escaped[start.end() :]
    return "\\" + escaped


@lru_cache
def _environment(autoescape: bool) -> Environment:
    """Jinja for the HTML (HTML-escaped) or the Markdown (every value through ``escape_markdown``)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR / "terms"),
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        finalize=None if autoescape else escape_markdown,
    )
    env.filters["longdate"] = format_date
    # A table cell or a heading holds one line.
    env.filters["one_line"] = lambda text: " ".join(str(text).split())
    return env


def _status(terms: Terms) -> str:
    count = len(terms.missing)
    if count == 0:
        return "Complete"
    return f"Draft: {count} item{'s' if count > 1 else ''} to be confirmed"


def provenance(terms: Terms) -> str:
    """What produced the document: kept in its properties (DOCX core properties, the HTML's and so the
    PDF's metadata) and in the stored version record, never in the text a reader reads."""
    text = f"clause library v{terms.clauses_version}, template v{TEMPLATE_VERSION}"
    return f"{text}, ruleset {terms.ruleset}" if terms.ruleset else text


def _printable(terms: Terms) -> Terms:
    """``terms`` with every text as a document can hold it (``core.values.printable``): text stored
    before the service checked it on the way in may hold a character no XML, so no DOCX or PDF, can."""

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return printable(value)
        if isinstance(value, dict):
            return {key: clean(item) for key, item in value.items()}
        if isinstance(value, list):
            return [clean(item) for item in value]
        return value

    return from_dict(clean(to_dict(terms)))


def _render_template(name: str, terms: Terms, *, autoescape: bool) -> str:
    terms = _printable(terms)
    template = _environment(autoescape).get_template(name)
    return template.render(terms=terms, status=_status(terms), provenance=provenance(terms))


def render_markdown(terms: Terms) -> str:
    text = _render_template("terms.md.j2", terms, autoescape=False)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_html(terms: Terms) -> str:
    return _render_template("terms.html.j2", terms, autoescape=True)


def render_pdf(terms: Terms) -> bytes:
    """The HTML through WeasyPrint; the print stylesheet adds page numbers and the case reference."""
    from weasyprint import HTML  # heavy: loaded only when a PDF is asked for

    return HTML(string=render_html(terms)).write_pdf()


def render_docx(terms: Terms) -> bytes:
    """A Word document with real heading styles, numbered lines of enquiry and a timescales table."""
    terms = _printable(terms)
    document = Document()
    _set_up_page(document, terms)
    document.add_heading(terms.title, level=0)
    meta = [
        ("Case reference", terms.case_ref),
        ("Review", terms.review_name or "To be confirmed"),
        ("Lead area", terms.area or "To be confirmed"),
        *([("Guidance", terms.guidance)] if terms.guidance else []),
        ("Issued", format_date(terms.issued_on)),
        ("Status", _status(terms)),
    ]
    _table(document, None, meta)
    for number, section in enumerate(terms.sections, start=1):
        document.add_heading(f"{number}. {section.title}", level=1)
        for item in section.to_confirm:
            paragraph = document.add_paragraph()
            paragraph.add_run("To be confirmed: ").bold = True
            paragraph.add_run(f"{item}.")
        for block in section.blocks:
            if isinstance(block, Paragraph):
                document.add_paragraph(block.text)
            elif isinstance(block, Points):
                style = "List Number" if block.numbered else "List Bullet"
                for item in block.items:
                    document.add_paragraph(item.text, style=style)
            else:
                _table(document, ("Step", "Due", "Basis", "Status"), [_row(m) for m in block.rows])
        if section.sources:
            run = document.add_paragraph().add_run(f"Sources: {'; '.join(section.sources)}.")
            run.italic = True
            run.font.size = Pt(8)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _set_up_page(document: DocxDocument, terms: Terms) -> None:
    """Document properties, the case reference in the header and a page number in the footer."""
    properties = document.core_properties
    properties.title = f"{terms.title} ({terms.case_ref})"
    properties.author = "scr-commissioning"
    properties.comments = provenance(terms)
    properties.version = provenance(terms)
    properties.identifier = terms.case_ref
    issued = datetime(terms.issued_on.year, terms.issued_on.month, terms.issued_on.day)
    properties.created = properties.modified = issued
    section = document.sections[0]
    section.header.paragraphs[0].text = f"Terms of reference · Case reference: {terms.case_ref}"
    footer = section.footer.paragraphs[0]
    footer.add_run("Page ")
    _page_field(footer.add_run())


def _page_field(run: Run) -> None:
    """A Word PAGE field: Word fills in the number when it lays out the page."""
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = "PAGE"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instruction, end):
        run._r.append(element)


def _row(milestone: Milestone) -> tuple[str, str, str, str]:
    due = format_date(milestone.due) if milestone.due else "To be confirmed"
    return (milestone.label, due, milestone.basis, milestone.status)


def _table(document: DocxDocument, header: tuple[str, ...] | None, rows: list[tuple[str, ...]]) -> Table:
    width = len(header) if header else len(rows[0])
    table = document.add_table(rows=0, cols=width)
    table.style = "Table Grid"
    if header:
        cells = table.add_row().cells
        for cell, text in zip(cells, header, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(text).bold = True
    for values in rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text
    return table


# The formats a version of the terms can be had in (no docstring: the API publishes this enum's schema).
class Format(StrEnum):
    md = "md"
    html = "html"
    docx = "docx"
    pdf = "pdf"


# Each format's media type and renderer.
RENDERERS: dict[Format, tuple[str, Callable[[Terms], bytes]]] = {
    Format.md: ("text/markdown; charset=utf-8", lambda t: render_markdown(t).encode()),
    Format.html: ("text/html; charset=utf-8", lambda t: render_html(t).encode()),
    Format.docx: ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", render_docx),
    Format.pdf: ("application/pdf", render_pdf),
}
