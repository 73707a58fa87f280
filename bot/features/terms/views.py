"""The note that goes with the uploaded terms of reference, and the files' names."""

from typing import Any

from bot.features.consultant.words import dated, plural
from bot.views.blocks import escape

SHOWN_MISSING = 10


def comment(version: dict[str, Any]) -> str:
    """Which version these are (a new one, or the latest when nothing changed), and what is still to be
    confirmed, section by section."""
    number = version["version"]
    lines = [
        f"Terms of reference for case *{escape(version['case_ref'])}*, version {number}: the DOCX to edit, "
        "the PDF to share."
    ]
    if not version.get("created", True):
        lines[0] += f" Nothing has changed since version {number}, so these are its files."
    missing = version.get("missing") or []
    if missing:
        lines.append(f"Still to be confirmed: {plural(len(missing), 'item')}.")
    lines += [f"• {escape(item['title'])}: {escape(dated(item['what']))}" for item in missing[:SHOWN_MISSING]]
    if len(missing) > SHOWN_MISSING:
        lines.append(f"• and {len(missing) - SHOWN_MISSING} more: see the DOCX")
    return "\n".join(lines)


def filename(version: dict[str, Any], fmt: str) -> str:
    return f"{version['case_ref']}-terms-v{version['version']}.{fmt}"
