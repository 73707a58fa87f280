"""The briefing in the format asked for: its bytes, media type and a file name that says what it is."""

import json
from dataclasses import dataclass
from typing import Literal

from commissioning.briefing import tables
from commissioning.briefing.html import briefing_html
from commissioning.briefing.pdf import briefing_pdf
from commissioning.briefing.report import Briefing
from commissioning.briefing.word import briefing_docx

Format = Literal["json", "csv", "html", "pdf", "docx"]
MEDIA: dict[str, str] = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True)
class Document:
    content: bytes
    media_type: str
    filename: str


def filename(briefing: Briefing, fmt: str, prefix: str | None) -> str:
    """``thematic-briefing-CHS-2026-01-01-to-2026-12-31-publishable.pdf``"""
    who = prefix or "all-partnerships"
    version = "publishable" if briefing.publishable else "internal"
    return f"thematic-briefing-{who}-{briefing.period.start}-to-{briefing.period.end}-{version}.{fmt}"


def document(briefing: Briefing, fmt: Format, *, prefix: str | None) -> Document:
    """The briefing as ``fmt``."""
    makers = {
        "json": lambda: json.dumps(briefing.to_json()).encode(),
        "csv": lambda: tables.to_csv(briefing).encode(),
        "html": lambda: briefing_html(briefing).encode(),
        "pdf": lambda: briefing_pdf(briefing),
        "docx": lambda: briefing_docx(briefing),
    }
    return Document(makers[fmt](), MEDIA[fmt], filename(briefing, fmt, prefix))
