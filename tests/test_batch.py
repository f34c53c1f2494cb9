"""Batch screening with real files: headers, encodings, XLSX, bad rows, limits, API parity."""

from __future__ import annotations

import csv
import io
import logging
import random

import openpyxl
import oracle
import pytest
from batch_files import EN_HEADERS, csv_text, xlsx_parts, zipped

from app.batch import read
from app.batch.households import households, is_resident_id, survey
from app.batch.job import OUTPUTS, layout_for, screen_file
from app.batch.read import FileRefused, open_sheet, opener

AS_OF = "2026-12-01"
FAMILY = {
    "as_of": AS_OF,
    "household": {"hukou": "beijing_urban", "assistance": "dibao", "monthly_income_per_person": 800,
                  "housing": "private_rental", "subdistrict": "方庄街道"},
    "members": [
        {"id": "m1", "relation": "self", "age": 34, "needs_long_term_care": True,
         "disability": {"certificate": True, "category": "physical", "grade": 2}},
        {"id": "m2", "relation": "spouse", "age": 33, "disability": None},
    ],
}


def run(app, data: bytes, fmt: str = "csv", lang: str = "en", out_fmt: str = "csv", workers=1):
    streams = {name: io.BytesIO() for name in OUTPUTS}
    with app.app_context():
        outcome = screen_file(data, fmt, out_fmt, lang, lambda: streams, workers=workers)
    return outcome, {name: s.getvalue() for name, s in streams.items()}


def table(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def statuses(data: bytes) -> dict[tuple[str, str, str], str]:
    rows = table(data)
    assert rows[0][:4] == ["household_id", "member_id", "benefit", "status"]
    return {(r[0], r[1], r[2]): r[3] for r in rows[1:]}


def refused(app, data: bytes, fmt: str = "csv") -> str:
    with pytest.raises(FileRefused) as caught:
        run(app, data, fmt)
    return caught.value.code


def api_statuses(client, hid: str, payload: dict) -> dict[tuple[str, str, str], str]:
    response = client.post("/api/v1/check?lang=en", json=payload)
    assert response.status_code == 200
    return {(hid, r["member"] or "", r["benefit"]): r["status"]
            for r in response.get_json()["results"]}


def test_every_household_gets_exactly_the_api_answer(app, client, book):
    rng = random.Random(909)
    edges = oracle.boundary_numbers(book)
    families = [(f"H{i}", oracle.random_payload(rng, book, edges)) for i in range(40)]
    families.append(("F", FAMILY))
    outcome, out = run(app, csv_text(families).encode())
    assert outcome.left_out == [] and outcome.households == len(families)
    expected = {}
    for hid, payload in families:
        expected.update(api_statuses(client, hid, payload))
    assert statuses(out["results"]) == expected
    # the words beside the ids are the API's too: title, amount and lead office
    api = {(r["member"] or "", r["benefit"]): r for r in client.post(
        "/api/v1/check?lang=en", json=FAMILY).get_json()["results"]}
    header = table(out["results"])[0]
    for row in table(out["results"])[1:]:
        if row[0] == "F":
            mine = dict(zip(header, row, strict=True))
            theirs = api[(row[1], row[2])]
            assert mine["Benefit"] == theirs["title"]
            assert mine["Lead office"] == (theirs["lead_office"] or "—")
            if theirs["status"] != "not_eligible" and theirs["amount"]:
                assert mine["Amount"] == (theirs["amount"]["text"] or "confirm with the office")


def test_the_process_pool_gives_the_same_rows_as_one_process(app, book):
    rng = random.Random(5)
    edges = oracle.boundary_numbers(book)
    data = csv_text([(f"H{i}", oracle.random_payload(rng, book, edges))
                     for i in range(90)]).encode()
    one, out_one = run(app, data)
    two, out_two = run(app, data, workers=2)
    assert out_one["results"] == out_two["results"]
    assert out_one["summary"] == out_two["summary"]
    assert out_one["referrals"] == out_two["referrals"]
    assert one.households == two.households == 90


@pytest.mark.parametrize("value", ["H1", "", "a,b", 'say "hi"', "two\nlines", "cr\rhere",
                                   " spaced ", "户号,甲", "'quoted'", "tab\there", ";"])
def test_codes_are_quoted_as_the_csv_module_quotes_them(value):
    from app.batch.screen import csv_field

    written = io.StringIO()
    csv.writer(written, lineterminator="\r\n").writerow([value, "x"])
    assert csv_field(value) + ",x\r\n" == written.getvalue()


def test_codes_with_commas_quotes_and_line_breaks_come_back_as_written(app):
    family = {**FAMILY, "members": [{**FAMILY["members"][0], "id": 'self, "A"'},
                                    {**FAMILY["members"][1], "id": "m\n2"}]}
    outcome, out = run(app, csv_text([('户,"1"', family)]).encode())
    assert outcome.households == 1 and outcome.left_out == []
    rows = table(out["results"])[1:]
    assert {r[0] for r in rows} == {'户,"1"'}
    assert {r[1] for r in rows} == {"", 'self, "A"', "m\n2"}
    assert all(len(r) == len(table(out["results"])[0]) for r in rows)


def _zh_file(app, words: bool) -> bytes:
    layout = layout_for(app)
    headers = {c.name: c.labels["zh"] for c in layout.columns}
    text = csv_text([("F", FAMILY)], headers)
    if words:  # the form's Chinese words instead of the contract's values
        for value, word in (("beijing_urban", "北京市城镇户籍"), ("true", "是"),
                            ("false", "否"), ("physical", "肢体残疾")):
            text = text.replace(value, word)
    return text.encode()


def test_chinese_headers_and_words_read_as_the_contract(app):
    with app.app_context():
        zh = _zh_file(app, words=False)
        zh_words = _zh_file(app, words=True)
    assert "户籍".encode() in zh
    _, en_out = run(app, csv_text([("F", FAMILY)]).encode())
    for data in (zh, zh_words):
        outcome, out = run(app, data)
        assert outcome.left_out == []
        assert statuses(out["results"]) == statuses(en_out["results"])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_encodings_saved_by_excel_and_wps(app, encoding):
    with app.app_context():
        text = _zh_file(app, words=True).decode()
    outcome, out = run(app, text.encode(encoding))
    assert outcome.households == 1 and outcome.left_out == []
    assert ("F", "m1", "care-subsidy") in statuses(out["results"])


def test_unreadable_encodings_and_non_spreadsheets_are_refused(app):
    text = csv_text([("F", FAMILY)])
    assert refused(app, text.encode("utf-16")) == "utf16"
    assert refused(app, b"household_id,member_id\r\n\x80\x80,1\r\n") == "encoding"
    from app.batch.messages import refused as word

    with app.test_request_context("/?lang=en"):
        advice = word(FileRefused("encoding"), layout_for(app), "en")
    assert "CSV UTF-8" in advice and "GB18030" in advice
    assert refused(app, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") == "not_a_spreadsheet"
    assert refused(app, b"PK\x03\x04 not really a zip") == "xlsx_as_csv"
    assert refused(app, b"no zip at all", "xlsx") == "not_a_spreadsheet"
    assert refused(app, b"PK\x03\x04 broken", "xlsx") == "not_a_spreadsheet"
    assert refused(app, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xlsx") == "old_xls"
    with pytest.raises(FileRefused):
        read.file_format("register.xls")


def test_an_xlsx_saved_by_a_spreadsheet_program(app):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(EN_HEADERS)
    values = {"household_id": 1001, "member_id": 1, "as_of": None, "hukou": "beijing_urban",
              "monthly_income_per_person": 800.0, "age": 34, "disabled": True,
              "disability.certificate": "是", "disability.grade": 2,
              "needs_long_term_care": 1}
    sheet.append([values.get(h) for h in EN_HEADERS])
    spouse = {"household_id": 1001, "member_id": 2, "relation": "spouse", "age": 33.0,
              "disabled": False}
    sheet.append([spouse.get(h) for h in EN_HEADERS])
    sheet.append([])  # blank rows that spreadsheet programs leave are skipped
    buffer = io.BytesIO()
    book.save(buffer)
    outcome, out = run(app, buffer.getvalue(), fmt="xlsx", out_fmt="xlsx")
    assert outcome.left_out == [] and outcome.members == 2
    results = openpyxl.load_workbook(io.BytesIO(out["results"]), read_only=True).worksheets[0]
    rows = list(results.iter_rows(values_only=True))
    assert rows[0][:4] == ("household_id", "member_id", "benefit", "status")
    found = {(r[0], r[1], r[2]): r[3] for r in rows[1:]}
    assert found[("1001", "1", "care-subsidy")] == "eligible"
    assert found[("1001", "2", "care-subsidy")] == "not_eligible"


def test_empty_header_only_and_wrong_columns(app):
    header = ",".join(EN_HEADERS) + "\r\n"
    assert refused(app, b"") == "empty"
    assert refused(app, b"\xef\xbb\xbf\r\n\r\n") == "empty"
    assert refused(app, header.encode()) == "only_headers"
    with pytest.raises(FileRefused) as caught:
        run(app, b"household_id,member_id,name,phone\r\nH1,m1,x,y\r\n")
    assert caught.value.params["columns"] == ["name", "phone"]
    with pytest.raises(FileRefused) as caught:
        run(app, b"household_id,age\r\nH1,3\r\n")
    assert caught.value.code == "missing_columns"
    assert caught.value.params["columns"] == ["member_id"]
    assert refused(app, b"household_id,member_id,age,age\r\nH1,m1,3,3\r\n") == \
        "repeated_columns"


def test_wrong_columns_message_lists_the_accepted_ones(app):
    from app.batch.messages import refused as word

    with app.test_request_context("/?lang=en"):
        message = word(FileRefused("unknown_columns", columns=["name"]), layout_for(app), "en")
    assert "name" in message and "household_id" in message and "disability.grade" in message


def test_bad_rows_leave_their_household_out_and_are_named_like_the_api(app, client):
    bad = {**FAMILY, "members": [{**FAMILY["members"][0], "age": 130},
                                  {**FAMILY["members"][1], "relation": "cousin"}]}
    text = csv_text([("GOOD", FAMILY), ("BAD", bad), ("ALSO", FAMILY)])
    outcome, out = run(app, text.encode())
    assert outcome.households == 2 and outcome.left_out == ["BAD"]
    assert {k[0] for k in statuses(out["results"])} == {"GOOD", "ALSO"}
    problems = table(out["problems"])
    assert problems[0][:3] == ["household_id", "row", "column"]
    api = client.post("/api/v1/check?lang=en", json=bad).get_json()["errors"]
    api_words = {e["path"].split(".")[-1]: e["message"] for e in api}
    listed = {(r[0], r[1], r[2]): r[4] for r in problems[1:]}
    # BAD's rows are 4 and 5 (row 1 is the header)
    assert listed[("BAD", "4", "age")] == api_words["age"].replace("members[0].age", "age")
    assert listed[("BAD", "5", "relation")] == api_words["relation"].replace(
        "members[1].relation", "relation")
    assert "130" not in listed[("BAD", "4", "age")] and "cousin" not in "".join(listed.values())


def test_household_facts_on_the_first_row_only_or_repeated_but_not_different(app):
    first_only = csv_text([("F", FAMILY)], first_only=True)
    outcome, _ = run(app, first_only.encode())
    assert outcome.left_out == []
    rows = first_only.splitlines()
    differing = rows[2].replace("m2,,,,,", "m2,,beijing_rural,,,", 1)
    assert differing != rows[2]
    outcome, out = run(app, "\r\n".join([rows[0], rows[1], differing]).encode())
    assert outcome.left_out == ["F"]
    assert table(out["problems"])[1][:3] == ["F", "3", "hukou"]


def test_resident_id_numbers_are_refused_as_codes(app):
    assert is_resident_id("11010519491231002X")
    assert not is_resident_id("110105194912310021")  # wrong check digit
    for column in ("household_id", "member_id"):
        family = {**FAMILY, "members": [{**m} for m in FAMILY["members"]]}
        hid = "11010519491231002X" if column == "household_id" else "F"
        if column == "member_id":
            family["members"][1]["id"] = "11010519491231002X"
        outcome, out = run(app, csv_text([(hid, family)]).encode())
        assert outcome.households == 0
        problem = table(out["problems"])[1]
        assert problem[2] == column and "ID" in problem[4]
        assert "11010519491231002X" not in problem[4]


def test_rows_of_one_household_must_be_together(app):
    text = csv_text([("A", FAMILY)]) + "\r\n".join(
        csv_text([("B", FAMILY), ("A", FAMILY)]).splitlines()[1:]) + "\r\n"
    outcome, out = run(app, text.encode())
    assert outcome.left_out == ["A", "A"] and outcome.households == 1
    assert {r[0] for r in table(out["problems"])[1:]} == {"A"}


def test_row_limit_and_a_20000_row_file(app, monkeypatch):
    """20,000 member rows are read, grouped and validated as the API would (screening that
    many is `make bench`'s job); one row more than the limit is refused."""
    family = {**FAMILY, "members": [{**FAMILY["members"][1], "id": f"m{i}"} for i in range(4)]}
    text = csv_text([(f"H{i}", family) for i in range(5000)])
    with app.app_context():
        layout = layout_for(app)
        sheet = open_sheet(opener(text.encode()), "csv", layout)
        found = survey(sheet.rows(only="household_id"))
        assert (found.rows, found.households, found.split) == (20_000, 5000, set())
        assert survey(sheet.rows()) == found
        book = app.extensions["checker"].book
        grouped = households(sheet.rows(), layout, book.subdistrict_names(),
                             __import__("datetime").date(2026, 12, 1))
        count = 0
        for household in grouped:
            assert household.request is not None and len(household.request.members) == 4
            count += 1
        assert count == 5000 and household.rows == [19_998, 19_999, 20_000, 20_001]
    monkeypatch.setattr(read, "MAX_ROWS", 19_999)
    assert refused(app, text.encode()) == "too_many_rows"


def test_a_sheet_of_empty_rows_is_refused_early_and_lets_others_run(app, monkeypatch):
    """Empty rows cost as much to read as members' rows: past MAX_RECORDS rows in all the
    file is refused, and other work gets to run every YIELD_EVERY rows, empty ones too."""
    calls = []
    monkeypatch.setattr(read.time, "sleep", lambda seconds: calls.append(seconds))
    text = csv_text([("F", FAMILY)]) + ",,,\r\n" * (read.MAX_RECORDS + 10)
    assert refused(app, text.encode()) == "too_many_records"
    assert len(calls) >= read.MAX_RECORDS // read.YIELD_EVERY
    ahead = ",,,\r\n" * (read.MAX_RECORDS + 10) + csv_text([("F", FAMILY)])  # before the header
    assert refused(app, ahead.encode()) == "too_many_records"
    outcome, _ = run(app, (csv_text([("F", FAMILY)]) + ",,,\r\n" * 5000).encode())
    assert outcome.households == 1


def _xlsx_with_padding(app, padding: int) -> bytes:
    """A real workbook of one household, plus a part of `padding` zero bytes (which
    compresses to almost nothing)."""
    parts = xlsx_parts([("F", FAMILY)])
    parts["xl/padding.xml"] = b"\0" * padding
    return zipped(parts)


def test_an_xlsx_that_unpacks_too_large_is_refused_before_it_is_read(app, monkeypatch):
    monkeypatch.setattr(read, "MAX_UNPACKED", 1_000_000)
    data = _xlsx_with_padding(app, 1_000_000)
    assert len(data) < 20_000
    assert refused(app, data, "xlsx") == "unpacked_too_large"
    outcome, _ = run(app, _xlsx_with_padding(app, 100_000), "xlsx")
    assert outcome.households == 1


@pytest.mark.parametrize("lang, words", [
    ("en", ["100,000 rows, most of them empty", "over 100 MB once unpacked"]),
    ("zh", ["超过 100,000 行，其中大多是空行", "解压后超过 100 MB"])])
def test_the_new_refusals_are_worded_in_each_language(app, lang, words):
    from app.batch.messages import refused as worded

    with app.test_request_context(f"/batch?lang={lang}"):
        layout = layout_for(app)
        assert words[0] in worded(FileRefused("too_many_records", limit=read.MAX_RECORDS),
                                  layout, lang)
        assert words[1] in worded(FileRefused("unpacked_too_large", size=100), layout, lang)


def test_summary_and_referral_sheets(app):
    outcome, out = run(app, csv_text([("F", FAMILY), ("G", FAMILY)]).encode())
    results = table(out["results"])
    header = results[0]
    eligible = {r[2] for r in results[1:] if r[3] == "eligible"}
    summary = [dict(zip(table(out["summary"])[0], r, strict=True))
               for r in table(out["summary"])[1:]]
    by_benefit = {(s["benefit"], s["status"]): s for s in summary if s["summary"] == "benefit"}
    for benefit in eligible:
        assert by_benefit[(benefit, "eligible")]["households"] == "2"
    care = by_benefit[("care-subsidy", "eligible")]
    assert care["members"] == "2"  # m1 in each of the two households
    assert {s["summary"] for s in summary} == {"office", "level", "benefit"}
    html = out["referrals"].decode()
    assert html.count('<section class="household"') == 2
    assert "break-before: page" in html and AS_OF in html
    assert "Household F" in html and "Household G" in html
    assert "Lead office" in header


def test_cell_values_never_reach_the_logs(app, caplog):
    secret = "SECRET-VALUE-42"
    bad = {**FAMILY, "members": [{**FAMILY["members"][0], "employment": secret}]}
    with caplog.at_level(logging.DEBUG):
        outcome, out = run(app, csv_text([("F", bad)]).encode())
    assert outcome.left_out == ["F"]
    assert secret not in caplog.text
    assert secret not in out["problems"].decode()


def test_a_code_that_looks_like_a_formula_stays_text_in_xlsx(app):
    outcome, out = run(app, csv_text([("=1+1", FAMILY)]).encode(), out_fmt="xlsx")
    assert outcome.households == 1
    sheet = openpyxl.load_workbook(io.BytesIO(out["results"])).worksheets[0]
    assert sheet["A2"].value == "=1+1" and sheet["A2"].data_type == "s"


@pytest.mark.parametrize("value, shown", [
    ("=1+1", "'=1+1"), ("+86", "'+86"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("H1", "H1"), ("", ""), ("户1", "户1"), ("a=b", "a=b"),
    ("'quoted", "'quoted")])
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(value, shown):
    from app.batch.screen import as_text

    assert as_text(value) == shown


def test_codes_that_look_like_formulas_stay_text_in_every_csv_output(app):
    """A code from the file that Excel or WPS would run as a formula (=, +, -, @) is
    written with an apostrophe before it, in the results and in the problems."""
    family = {**FAMILY, "members": [{**FAMILY["members"][0], "id": "@SUM(A1)"},
                                    {**FAMILY["members"][1], "id": "-2"}]}
    bad = {**FAMILY, "members": [{**FAMILY["members"][0], "age": "old"}]}
    outcome, out = run(app, csv_text([('=HYPERLINK("http://x","y")', bad), ("+86", family)])
                       .encode())
    assert outcome.households == 1
    rows = table(out["results"])[1:]
    assert {(r[0], r[1]) for r in rows} == {("'+86", ""), ("'+86", "'@SUM(A1)"),
                                            ("'+86", "'-2")}
    problems = table(out["problems"])[1:]
    assert {r[0] for r in problems} == {"'=HYPERLINK(\"http://x\",\"y\")"}
    assert not any(cell.startswith(("=", "+", "-", "@")) for name in ("results", "summary",
                                                                     "problems")
                   for row in table(out[name]) for cell in row)


def test_a_long_file_lets_the_server_breathe_while_it_is_read_and_screened(app, monkeypatch):
    """Under make run's gevent workers a request that never yields stops the worker's
    heartbeat and gunicorn kills it after `timeout` (seen with a 4,000-household upload and
    --timeout 5). The batch yields while it reads rows and between chunks of households."""
    calls = []
    monkeypatch.setattr(read.time, "sleep", lambda seconds: calls.append(seconds))
    book = app.extensions["checker"].book
    rng = random.Random(3)
    families = [(f"H{i:04d}", oracle.random_payload(rng, book, oracle.boundary_numbers(book)))
                for i in range(500)]
    rows = sum(len(p["members"]) for _, p in families)
    outcome, _ = run(app, csv_text(families).encode())
    assert outcome.households == 500
    # two passes over the rows (survey, then households), then one yield a chunk
    assert len(calls) >= 2 * (rows // read.YIELD_EVERY) + 500 // 40
    assert set(calls) == {0}


_SNIPPETS = [b"<", b">", b"&", b"&#0;", b'"', b"</row>", b'<row r="0">', b'<c r="ZZZZ1">',
             b't="e"', b't="b"', b't="d"', b"<v>1e999</v>", b"<v>nan</v>", b"\x00", b"\xff",
             b'r="99999999999"', b's="999"', b"<f>A1</f>",
             b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', b"&e;"]


def test_random_damage_to_a_workbooks_xml_is_screened_or_refused(app):
    """Random edits to the XML parts of a real workbook: each file is either screened or
    refused as a whole (FileRefused, which the page and the command word); nothing else
    is raised (the upload page would answer it with a 500)."""
    parts = xlsx_parts([("F", FAMILY), ("G", FAMILY)])
    rng = random.Random(11)
    seen = set()
    for _ in range(120):
        damaged = dict(parts)
        name = rng.choice(sorted(k for k in parts if k.endswith((".xml", ".rels"))))
        data = bytearray(parts[name])
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(data))
            if rng.random() < 0.5:
                data[at:at + rng.randint(0, 20)] = rng.choice(_SNIPPETS)
            else:
                del data[at:at + rng.randint(1, 50)]
        damaged[name] = bytes(data)
        try:
            run(app, zipped(damaged), fmt="xlsx")
            seen.add("screened")
        except FileRefused as refusal:
            seen.add(refusal.code)
    assert {"screened", "not_a_spreadsheet"} <= seen
