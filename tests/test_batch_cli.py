"""`flask --app wsgi screen IN OUT`: outputs beside OUT, exit codes, progress and summary line."""

from __future__ import annotations

import csv

from batch_files import csv_text, xlsx_parts, zipped
from test_batch import FAMILY

from app.batch.cli import output_paths


def test_screen_writes_four_files_and_a_summary_line(runner, tmp_path):
    source = tmp_path / "register.csv"
    source.write_text(csv_text([("F", FAMILY), ("G", FAMILY)]), encoding="utf-8-sig")
    out = tmp_path / "out" / "results.xlsx"
    out.parent.mkdir()
    result = runner.invoke(args=["screen", str(source), str(out), "--lang", "en",
                                 "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "Screened 2 households (4 members" in result.stdout
    assert "0 households left out" in result.stdout
    for path in output_paths(out).values():
        assert path.exists() and path.stat().st_size > 0
    assert output_paths(out)["summary"].name == "results.summary.xlsx"
    assert output_paths(out)["referrals"].name == "results.referrals.html"


def test_bad_rows_exit_1_and_are_listed_by_row_and_column(runner, tmp_path):
    bad = {**FAMILY, "members": [{**FAMILY["members"][0], "age": -1}]}
    source = tmp_path / "in.csv"
    source.write_text(csv_text([("F", FAMILY), ("B", bad)]), encoding="utf-8")
    out = tmp_path / "out.csv"
    result = runner.invoke(args=["screen", str(source), str(out), "--lang", "en",
                                 "--workers", "1"])
    assert result.exit_code == 1
    assert "Row 4, column “age”, household B: Enter a whole number from 0 to 120" in result.stderr
    assert "1 households left out" in result.stdout
    with output_paths(out)["problems"].open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[1][:3] == ["B", "4", "age"]


def test_a_refused_file_exits_2_and_writes_nothing(runner, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("household_id,member_id,姓名\r\nF,m1,x\r\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = runner.invoke(args=["screen", str(source), str(out), "--workers", "1"])
    assert result.exit_code == 2
    assert "姓名" in result.stderr and "户编号" in result.stderr
    assert not any(tmp_path.glob("out*"))
    other = tmp_path / "in.txt"
    other.write_text("x")
    result = runner.invoke(args=["screen", str(other), str(out), "--lang", "en"])
    assert result.exit_code == 2 and ".csv or .xlsx" in result.stderr


def _workbook_that_warns(path, sentinel: str) -> None:
    """A workbook whose main part is named after `sentinel` and whose relationships lack
    their Type: openpyxl warns "<its rels part> contains invalid dependency definitions"."""
    import re

    parts = {}
    for name, data in xlsx_parts([("F", FAMILY)]).items():
        name = name.replace("workbook.xml", f"{sentinel}.xml")
        parts[name] = data.replace(b"workbook.xml", f"{sentinel}.xml".encode())
    rels = f"xl/_rels/{sentinel}.xml.rels"
    parts[rels] = re.sub(rb' Type="[^"]*"', b"", parts[rels])
    path.write_bytes(zipped(parts))


def test_what_openpyxl_warns_about_a_file_is_not_written_out(tmp_path):
    """openpyxl's warnings quote what it found in the workbook; the command (a process of
    its own, as under gunicorn: pytest would catch the warnings itself) writes none."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    sentinel = "sentinel-4711-household"
    source = tmp_path / "in.xlsx"
    _workbook_that_warns(source, sentinel)
    flask = Path(sys.executable).with_name("flask")
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([str(flask), "--app", "wsgi", "screen", str(source),
                           str(tmp_path / "out.csv"), "--lang", "en", "--workers", "1"],
                          cwd=root, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONWARNINGS": ""})
    assert done.returncode == 2, done.stderr
    assert "not a spreadsheet that can be read" in done.stderr
    assert sentinel not in done.stdout + done.stderr
