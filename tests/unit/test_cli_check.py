"""``scr check``: a decision on standard output, or exit 2 listing every problem; no database, no web."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app

EXAMPLES = {e["id"]: e for e in json.loads((Path(__file__).parent / "data" / "examples.json").read_text())}
runner = CliRunner()


@pytest.fixture
def case_file(tmp_path: Path):  # type: ignore[no-untyped-def]
    def write(features: object) -> str:
        path = tmp_path / "case.json"
        path.write_text(json.dumps(features))
        return str(path)

    return write


def test_json_output_is_the_decision_shape(case_file) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        app,
        ["check", case_file(EXAMPLES["death-2026"]["features"]), "--format", "json", "--today", "2026-11-05"],
    )
    assert result.exit_code == 0, result.output
    decision = json.loads(result.stdout)
    assert decision["ruleset"] == {
        "id": "wt2023",
        "version": "2",
        "chosen_by": "incident_date",
        "title": "Working Together 2018 and 2023 (child safeguarding practice reviews)",
    }
    assert decision["outcomes"][0]["deadline"] == {
        "date": "2026-11-11",
        "basis": "5 working days from the day the local authority learned of it "
        "(Working Together to Safeguard Children 2023, chapter 5)",
    }


def test_text_output_is_for_a_person(case_file) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        app, ["check", case_file(EXAMPLES["infant-death-2008"]["features"]), "--today", "2026-11-05"]
    )
    assert result.exit_code == 0
    assert result.stdout.startswith("Working Together 2006")
    assert "* scr: Serious case review" in result.stdout and "Open questions" in result.stdout


def test_a_ruleset_and_a_local_setting_can_be_chosen(case_file) -> None:  # type: ignore[no-untyped-def]
    features = {
        "incident_date": "2023-10-15",
        "subject_age_years": 4,
        "outcome": "serious_harm",
        "nhs_care_involved": True,
    }
    result = runner.invoke(
        app,
        [
            "check",
            case_file(features),
            "--ruleset",
            "wt2023",
            "--set",
            "psirf_from=2023-11-01",
            "--format",
            "json",
        ],
    )
    decision = json.loads(result.stdout)
    assert decision["ruleset"]["version"].startswith("2+") and decision["ruleset"]["chosen_by"] == "request"
    assert "nhs_serious_incident" in {o["type"] for o in decision["outcomes"]}


def test_standard_input_is_read_for_a_dash() -> None:
    result = runner.invoke(
        app, ["check", "-", "--format", "json"], input=json.dumps({"incident_date": "2026-01-05"})
    )
    assert result.exit_code == 0 and json.loads(result.stdout)["outcomes"] == []


def test_bad_input_exits_2_listing_every_problem_with_the_valid_values(case_file) -> None:  # type: ignore[no-untyped-def]
    features = {"outcome": "dead", "outcom": 1, "country": "scotland", "incident_date": "2026-02-30"}
    result = runner.invoke(
        app,
        [
            "check",
            case_file(features),
            "--format",
            "yaml",
            "--today",
            "soon",
            "--ruleset",
            "wt1999",
            "--set",
            "x",
            "--set",
            "psirf=1",
        ],
    )
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert "--format: 'yaml' is not a format (valid: text, json)" in lines
    assert "--ruleset: 'wt1999' is not a ruleset (valid: auto, wt2006, wt2010, wt2015, wt2023)" in lines
    assert "--today: 'soon' is not a date in the form YYYY-MM-DD" in lines
    assert "--set: 'x' is not NAME=VALUE" in lines
    assert "input: no setting 'psirf'" in lines
    assert (
        "outcome: 'dead' is not one of the valid values (valid: death, serious_harm, other_harm, none)"
        in lines
    )
    assert any(line.startswith("outcom: unknown feature; did you mean 'outcome'?") for line in lines)
    assert any(line.startswith("country: is outside England") and "Scotland has" in line for line in lines)
    assert "incident_date: '2026-02-30' is not a real date" in lines
    assert lines[-1] == "9 problem(s); nothing was decided."
    assert "Traceback" not in result.output


def test_an_incident_before_the_first_edition_exits_2(case_file) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["check", case_file({"incident_date": "2001-01-01"})])
    assert result.exit_code == 2 and result.stderr.startswith(
        "incident_date: Mon 1 Jan 2001 is before Sat 1 Apr 2006"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [("{bad", "not valid JSON"), (b"\xff\xfe", "not valid JSON"), (None, "cannot read the file")],
)
def test_an_unreadable_file_exits_2_with_a_message(
    tmp_path: Path, content: str | bytes | None, message: str
) -> None:
    path = tmp_path / "case.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


def test_the_check_path_loads_neither_the_database_nor_the_web_framework(case_file) -> None:  # type: ignore[no-untyped-def]
    script = (
        "import sys; from service.cli import app\n"
        f"sys.argv = ['scr', 'check', {case_file(EXAMPLES['death-2026']['features'])!r}]\n"
        "try:\n    app()\nexcept SystemExit as done:\n    assert done.code in (0, None), done.code\n"
        "web = {'sqlalchemy', 'sqlmodel', 'fastapi', 'starlette'}\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & web)\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
