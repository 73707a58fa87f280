"""Reading and writing the consultant CSV, without a database."""

from datetime import date

import pytest

from core.errors import Invalid
from registry import importer
from registry.importer import AccreditationItem, EngagementItem, changes, parse, to_csv
from registry.vocabulary import ConsultantStatus

AGENCIES = {
    "hackney-csc": "hackney-csc",
    "hackney council": "hackney-csc",
    "met-central-east": "met-central-east",
}
HEADER = "name,email"


def read(text: str, *, max_rows: int = 100) -> importer.Parsed:
    return parse(text, agencies=AGENCIES, max_rows=max_rows)


def only_problem(text: str) -> importer.Problem:
    parsed = read(text)
    assert parsed.rows == []
    assert len(parsed.problems) == 1, parsed.problems
    return parsed.problems[0]


def full_record(**overrides: object) -> dict[str, object]:
    record: dict[str, object] = {
        "name": "Ada Quill",
        "email": "ada@reviews.example.org",
        "phone": "+44 20 7946 0123",
        "slack_user_id": "U012ABC",
        "status": ConsultantStatus.approved,
        "status_reason": "References, DBS and insurance seen; two published reviews.",
        "approved_on": date(2025, 1, 6),
        "reapproval_due": date(2028, 1, 6),
        "backgrounds": ["social_work", "academic"],
        "specialisms": ["neglect", "domestic_abuse"],
        "languages": ["English", "Turkish"],
        "areas": ["Hackney", "Tower Hamlets"],
        "registration_body": "social_work_england",
        "registration_number": "SW12345",
        "registration_expiry": date(2026, 11, 30),
        "dbs_check_date": date(2024, 4, 2),
        "insurance_expiry": date(2026, 9, 1),
        "day_rate": 600,
        "capacity": 3,
        "accreditations": (
            AccreditationItem("scie_learning_together_trainee", date(2018, 5, 1), date(2019, 5, 1)),
            AccreditationItem("silp", date(2019, 5, 1), None),
        ),
        "engagements": (
            EngagementItem(
                "hackney-csc",
                "employed",
                "Head of Service, Children in Need",
                date(2010, 4, 1),
                date(2019, 3, 31),
            ),
            EngagementItem(
                "met-central-east", "personal_link", "Brother is a DC", None, None, confirmed=False
            ),
        ),
        "notes": "Line one.\nLine two, with a comma.",
    }
    record.update(overrides)
    return record


def test_a_minimal_row_needs_only_name_and_email():
    parsed = read(f"{HEADER}\nAda Quill,Ada@Reviews.Example.org\n")
    assert parsed.problems == []
    assert [row.values for row in parsed.rows] == [{"name": "Ada Quill", "email": "ada@reviews.example.org"}]


def test_an_export_reads_back_with_no_changes():
    record = full_record()
    parsed = read(to_csv([record]))
    assert parsed.problems == []
    assert changes(parsed.rows[0].values, record) == []


def test_an_applicant_with_little_recorded_reads_back_with_no_changes():
    record = full_record(**dict.fromkeys(importer.CONSULTANT_COLUMNS))
    record.update(
        name="Ben Ink", email="ben@reviews.example.org", status=ConsultantStatus.applied, capacity=2
    )
    record.update(backgrounds=[], specialisms=[], languages=[], areas=[], accreditations=(), engagements=())
    parsed = read(to_csv([record]))
    assert parsed.problems == []
    assert changes(parsed.rows[0].values, record) == []


def test_an_overlong_status_reason_is_refused():
    problem = only_problem(f"name,email,status_reason\nAda,a@x.example.org,{'x' * 1001}\n")
    assert (problem.column, problem.msg) == ("status_reason", "String should have at most 1000 characters.")


def test_a_changed_cell_is_the_only_change_reported():
    text = to_csv([full_record()]).replace(",600,", ",650,")
    assert changes(read(text).rows[0].values, full_record()) == ["day_rate"]


def test_a_formula_like_cell_is_quoted_on_export_and_unquoted_on_import():
    record = full_record(name='=HYPERLINK("http://x")', phone="+44 20 7946 0999")
    text = to_csv([record])
    assert "'=HYPERLINK" in text and "'+44" in text
    assert changes(read(text).rows[0].values, record) == []


def test_uk_dates_are_accepted_and_a_malformed_date_names_row_and_column():
    good = read("name,email,dbs_check_date\nAda,ada@x.example.org,02/04/2024\n")
    assert good.rows[0].values["dbs_check_date"] == date(2024, 4, 2)
    problem = only_problem("name,email,dbs_check_date\nAda,ada@x.example.org,2024-13-40\n")
    assert (problem.row, problem.column) == (2, "dbs_check_date")
    assert "'2024-13-40' is not a date" in problem.msg


def test_an_unknown_specialism_is_named():
    problem = only_problem("name,email,specialisms\nAda,ada@x.example.org,neglect; witchcraft\n")
    assert (problem.row, problem.column) == (2, "specialisms")
    assert "'witchcraft' is not allowed" in problem.msg


def test_a_negative_capacity_is_refused():
    problem = only_problem("name,email,capacity\nAda,ada@x.example.org,-1\n")
    assert (problem.row, problem.column) == (2, "capacity")
    assert "greater than or equal to 1" in problem.msg


def test_money_may_be_written_with_a_pound_sign_but_not_as_words():
    assert read('name,email,day_rate\nAda,a@x.example.org,"£1,200"\n').rows[0].values["day_rate"] == 1200
    assert only_problem("name,email,day_rate\nAda,a@x.example.org,lots\n").column == "day_rate"


def test_an_unknown_status_is_named():
    problem = only_problem("name,email,status\nAda,a@x.example.org,pending\n")
    assert problem.column == "status"
    assert "'pending' is not a status" in problem.msg


def test_blank_status_capacity_and_approval_dates_are_left_out_so_they_keep_their_values():
    parsed = read(
        "name,email,status,status_reason,capacity,approved_on,reapproval_due,phone\nAda,a@x.example.org,,,,,,\n"
    )
    assert parsed.rows[0].values == {"name": "Ada", "email": "a@x.example.org", "phone": None}


def test_engagements_resolve_agencies_by_alias_and_keep_the_unconfirmed_flag():
    text = (
        "name,email,engagements\nAda,a@x.example.org,"
        "Hackney Council|employed|Manager|2001-01-01|; "
        "met-central-east|reviewed|Reviewer||2020-01-01|unconfirmed\n"
    )
    values = read(text).rows[0].values
    assert values["engagements"] == (
        EngagementItem("hackney-csc", "employed", "Manager", date(2001, 1, 1), None),
        EngagementItem("met-central-east", "reviewed", "Reviewer", None, date(2020, 1, 1), confirmed=False),
    )


# A bad item in a list column, and the reason given for it.
BAD_ITEMS = {
    "engagements": {
        "Nowhere Council|employed|Manager||": "no agency has the id, name or alias 'Nowhere Council'",
        "hackney-csc|employed|Manager": "has 3 parts",
        "hackney-csc|friend|Manager||": "'friend' is not allowed",
        "hackney-csc|employed|Manager|2020-01-01|2019-01-01": "end_date (2019-01-01) is before start_date",
        "hackney-csc|employed|Manager|||maybe": "the sixth part may only be 'unconfirmed'",
        "hackney-csc|employed|Manager|someday|": "'someday' is not a date",
    },
    "accreditations": {
        "silp": "has 1 parts",
        "knitting|2020-01-01": "'knitting' is not allowed",
        "silp|2020-01-01|2019-01-01": "expires_on (2019-01-01) is before awarded_on",
        "silp|last year": "'last year' is not a date",
    },
}


@pytest.mark.parametrize(
    ("column", "cell", "reason"),
    [(column, cell, reason) for column, items in BAD_ITEMS.items() for cell, reason in items.items()],
)
def test_a_bad_item_is_reported_in_its_column_naming_the_item(column, cell, reason):
    problem = only_problem(f'name,email,{column}\nAda,a@x.example.org,"{cell}"\n')
    assert problem.column == column
    assert problem.msg.startswith("item 1: ") or "item 1 " in problem.msg
    assert reason in problem.msg


def test_every_bad_row_is_reported_and_no_row_is_returned():
    rows = ["Ada,a@x.example.org,2", "Ben,not-an-email,2", "Cal,c@x.example.org,9", ",d@x.example.org,1"]
    text = f"{HEADER},capacity\n" + "\n".join(rows) + "\n"
    parsed = read(text)
    assert parsed.rows == []
    assert [(p.row, p.column) for p in parsed.problems] == [(3, "email"), (4, "capacity"), (5, "name")]


def test_the_same_email_twice_is_reported_on_the_later_row():
    problem = only_problem(f"{HEADER}\nAda,a@x.example.org\nAda again,A@x.example.org\n")
    assert (problem.row, problem.column) == (3, "email")
    assert "also on row 2" in problem.msg


def test_header_problems_are_reported_on_row_1():
    parsed = read("name,e-mail,specialisms,specialisms\nAda,a@x.example.org,,\n")
    assert {(p.row, p.column) for p in parsed.problems} == {(1, "email"), (1, "e-mail"), (1, "specialisms")}


def test_headers_may_use_spaces_and_capitals():
    assert (
        read("Name,Email,DBS check date\nAda,a@x.example.org,2024-01-01\n").rows[0].values["dbs_check_date"]
    )


def test_blank_rows_are_skipped_but_counted_in_row_numbers():
    problem = only_problem(f"{HEADER},capacity\nAda,a@x.example.org,1\n,,\nBen,b@x.example.org,0\n")
    assert problem.row == 4


def test_a_row_with_more_cells_than_the_header_is_refused():
    assert only_problem(f"{HEADER}\nAda,a@x.example.org,surplus\n").row == 2


def test_more_rows_than_the_limit_are_refused_before_any_is_checked():
    text = HEADER + "\n" + "".join(f"P{i},p{i}@x.example.org\n" for i in range(6))
    parsed = read(text, max_rows=5)
    assert parsed.rows == []
    assert parsed.problems[0].row is None
    assert "more than 5 rows" in parsed.problems[0].msg


def test_an_empty_file_needs_a_header():
    assert "needs a header row" in only_problem("").msg


def test_an_unreadable_row_or_header_is_reported():
    huge = "x" * 140_000
    assert "could not be read" in only_problem(f'{HEADER}\nAda,"{huge}"\n').msg
    header = only_problem(f'"{huge}",email\nAda,a@x.example.org\n')
    assert header.row == 1
    assert "could not be read" in header.msg


def test_a_byte_order_mark_is_dropped_and_other_encodings_are_refused():
    assert importer.decode("\ufeffname,email\n".encode()) == "name,email\n"
    with pytest.raises(Invalid) as refused:
        importer.decode("name\nZoë".encode("cp1252"))
    assert "CSV UTF-8" in refused.value.message


def test_list_cells_trim_items_and_drop_empty_ones():
    values = (
        read(f"{HEADER},languages,areas\nAda,a@x.example.org, Turkish ;; Kurdish ,Hackney;\n").rows[0].values
    )
    assert values["languages"] == ["Turkish", "Kurdish"]
    assert values["areas"] == ["Hackney"]
