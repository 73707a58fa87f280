"""The note that goes with the uploaded terms of reference."""

from typing import Any

from bot.views.blocks import escape

SHOWN_MISSING = 10


def comment(version: dict[str, Any]) -> str:
    lines = [
        f"Terms of reference for case *{escape(version['case_ref'])}*, version {version['version']} "
        f"(DOCX to edit, PDF to share). {escape(version.get('message') or '')}"
    ]
    missing = version.get("missing") or []
    lines += [f"• {escape(item['title'])}: {escape(item['what'])}" for item in missing[:SHOWN_MISSING]]
    if len(missing) > SHOWN_MISSING:
        lines.append(f"• and {len(missing) - SHOWN_MISSING} more to confirm")
    return "\n".join(lines)


def filename(version: dict[str, Any], fmt: str) -> str:
    return f"{version['case_ref']}-terms-v{version['version']}.{fmt}"
