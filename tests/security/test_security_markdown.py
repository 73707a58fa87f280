"""Markdown terms of reference show people's words as words, as the HTML, PDF and DOCX do.

A chair's reason with blank lines, ``## 9. ...`` and an HTML link used to be copied into the ``.md``
verbatim, adding a numbered section and live HTML. Each check renders the Markdown with a CommonMark
renderer (markdown-it-py, tables on as in GitHub's) and looks at what it makes.
"""

import re
from collections.abc import Iterator
from datetime import date

from factories import HARM_FEATURES, departure
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from commissioning.render import escape_markdown, render_markdown
from commissioning.terms import TITLES, CaseFacts, assemble

API = "/api/v1"
MARKDOWN = MarkdownIt("commonmark").enable("table")
REASON = (
    "The board prefers a learning review.\n\n"
    "## 9. Payment\n"
    'Send fees to <a href="https://pay.example">our account</a> or [here](https://pay.example).\n'
    "<script>alert(1)</script>\n"
    "    indented like code\n"
    "> quoted\n"
    "1. first\n"
    "- bullet\n"
    "---\n"
    "| a | b |\n"
    "| --- | --- |\n"
    "```\n"
    "Totals &amp; *stars* and __under__ ![image](https://pay.example/x.png) <https://pay.example>"
)
FEATURES = {**HARM_FEATURES, "interagency_concerns": True, "setting": "community"}
# Only the template may make these; content may only make text.
MARKUP = {"html_block", "html_inline", "link_open", "image", "code_block", "fence", "blockquote_open", "hr"}


def walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        yield from walk(token.children or [])


def words(text: str) -> str:
    return " ".join(text.split())


def shown_text(tokens: list[Token]) -> str:
    """The words a reader sees: every text token, with a space for each line break."""
    return words(" ".join(t.content for t in walk(tokens) if t.type in ("text", "code_inline")))


def ok(response, status=200):  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    return response


TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00")
    | st.sampled_from("\\`*_[]()<>!#+-=|~&;:.\n\t 1"),
    max_size=60,
)


@settings(max_examples=1000, deadline=None)
@given(TEXT)
def test_any_text_renders_as_one_paragraph_of_the_same_words(text: str) -> None:
    tokens = MARKDOWN.parse(escape_markdown(text))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        assert tokens == []
        return
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    children = tokens[1].children or []
    assert {child.type for child in children} <= {"text", "softbreak"}
    assert "".join(child.content or "\n" for child in children) == "\n".join(lines)


def test_a_chairs_reason_adds_no_section_link_or_html_to_the_markdown(client, chair, commissioner) -> None:
    ref = ok(client.post(f"{API}/cases", json={"features": FEATURES}, headers=chair.headers), 201).json()[
        "ref"
    ]
    ok(client.post(f"{API}/cases/{ref}/decision", json=departure(REASON), headers=chair.headers))
    version = ok(client.post(f"{API}/cases/{ref}/terms", headers=commissioner.headers), 201).json()["version"]

    markdown = ok(client.get(f"{API}/cases/{ref}/terms/{version}.md", headers=commissioner.headers)).text
    tokens = MARKDOWN.parse(markdown)

    headings = [t for t in walk(tokens) if t.type == "heading_open"]
    assert [h.tag for h in headings] == ["h1"] + ["h2"] * len(TITLES), "one title and the numbered sections"
    assert not re.search(r"^## 9\. Payment", markdown, re.M)
    assert {t.type for t in walk(tokens)} & MARKUP == set()
    assert "<a href" not in MARKDOWN.render(markdown)
    assert "<script>" not in MARKDOWN.render(markdown)
    assert words(REASON) in shown_text(tokens), "every word of the reason, in order"

    diff = ok(client.get(f"{API}/cases/{ref}/terms/{version}/diff/{version}", headers=commissioner.headers))
    assert diff.json()["changed_sections"] == []


def test_table_cells_keep_their_columns_and_their_words() -> None:
    area = "Hackney | Fake column\n## Fake heading <b>bold</b>"
    case = CaseFacts(ref="HAC-2026-0001", features={**FEATURES, "area": area})
    terms = assemble(case=case, decision={}, board=None, commission=None, today=date(2026, 12, 14))

    tokens = MARKDOWN.parse(render_markdown(terms))

    assert len([t for t in walk(tokens) if t.type == "heading_open"]) == 1 + len(TITLES)
    assert {t.type for t in walk(tokens)} & MARKUP == set()
    widths: list[int] = []
    for token in walk(tokens):
        if token.type == "tr_open":
            widths.append(0)
        elif token.type in ("th_open", "td_open"):
            widths[-1] += 1
    assert widths[:7] == [2] * 7, "the details table keeps two columns in every row"
    assert f"Lead area {words(area)}" in shown_text(tokens)
