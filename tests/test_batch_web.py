"""/batch: the page, the templates, an upload answered as a ZIP, bad files, limits, memory only."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
from batch_files import csv_text, xlsx_parts, zipped
from bs4 import BeautifulSoup
from test_batch import FAMILY
from werkzeug import formparser
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app import create_app
from app.batch.job import layout_for
from app.config import TestConfig as BaseConfig
from app.tools import upload, views


def post(client, data: bytes, name: str = "register.csv", output: str = "csv", lang: str = "en"):
    return client.post(f"/batch?lang={lang}", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name), "output": output})


def unzip(response) -> dict[str, bytes]:
    assert response.status_code == 200, response.text[:2000]
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    with zipfile.ZipFile(io.BytesIO(response.data)) as z:
        return {name: z.read(name) for name in z.namelist()}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_explains_columns_limits_and_privacy(app, client, lang):
    page = BeautifulSoup(client.get(f"/batch?lang={lang}").text, "html.parser")
    form = page.find("form", id="batch-form")
    assert form["enctype"] == "multipart/form-data"
    assert page.find("label", attrs={"for": "file"}) is not None
    headers = [th.get_text() for th in page.select("table tbody th")]
    assert ("household_id" in headers) == (lang == "en") and ("户编号" in headers) == (lang == "zh")
    with app.app_context():
        assert headers == layout_for(app).headers(lang)
    links = {a["href"].split("?")[0] for a in page.select("a[download]")}
    assert links == {"/batch/template.csv", "/batch/template.xlsx"}
    assert "30,000" in page.text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_template_screens_its_example_household(client, fmt, lang):
    template = client.get(f"/batch/template.{fmt}?lang={lang}")
    assert template.status_code == 200
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(template.data))
        assert len(book.worksheets) == 3
        assert len(book.worksheets[0].data_validations.dataValidation) >= 10
    files = unzip(post(client, template.data, f"template.{fmt}", output="csv", lang=lang))
    assert set(files) == {"results.csv", "summary.csv", "referrals.html", "problems.csv"}
    rows = list(csv.reader(io.StringIO(files["results.csv"].decode("utf-8-sig"))))
    assert {r[0] for r in rows[1:]} == {"A001"} and {r[1] for r in rows[1:]} >= {"1", "2", "3"}
    problems = list(csv.reader(io.StringIO(files["problems.csv"].decode("utf-8-sig"))))
    assert problems[1:] == []


def test_an_upload_gives_xlsx_results_and_referral_sheets(client):
    files = unzip(post(client, csv_text([("F", FAMILY)]).encode(), output="xlsx"))
    assert set(files) == {"results.xlsx", "summary.xlsx", "referrals.html", "problems.xlsx"}
    assert "Household F" in files["referrals.html"].decode()


def test_no_file_and_a_refused_file_are_named_in_the_error_summary(client):
    response = client.post("/batch?lang=en", data={"output": "csv"})
    assert response.status_code == 400
    summary = BeautifulSoup(response.text, "html.parser").select(".error-summary a")
    assert [(a["href"], a.text) for a in summary] == [
        ("#file", "Select a .csv or .xlsx file to screen")]
    response = post(client, b"household_id,member_id,name\r\nF,1,x\r\n")
    assert response.status_code == 400
    assert "Remove or rename these columns" in response.text and "Error:" in response.text
    response = post(client, b"x", name="register.numbers")
    assert response.status_code == 400 and ".numbers" in response.text


def test_size_limits_are_stated_not_a_500(client, monkeypatch):
    monkeypatch.setattr(views, "MAX_BYTES", 1000)
    response = post(client, csv_text([("F", FAMILY)] * 10).encode())
    assert response.status_code == 400 and "at most 10 MB" in response.text
    monkeypatch.setattr(upload, "UPLOAD_MAX_CONTENT_LENGTH", 2000)
    response = post(client, b"x" * 5000)
    assert response.status_code == 413 and "at most 10 MB" in response.text


def test_an_upload_is_never_spooled_to_disk(client, monkeypatch):
    def no_disk(*args, **kwargs):
        raise AssertionError("an upload was about to be written to a temporary file")

    monkeypatch.setattr(formparser, "SpooledTemporaryFile", no_disk)
    monkeypatch.setattr(formparser, "TemporaryFile", no_disk, raising=False)
    big = b"household_id,member_id,name\r\n" + b"F,1,x\r\n" * 100_000  # 700 KB
    # encoded here: the test client would spool a body this size to a file of its own
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(big), "big.csv"),
                                       "output": "csv"})
    response = client.post("/batch?lang=en", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400 and "name" in response.text


def test_the_upload_needs_the_form_token():
    class WithCsrf(BaseConfig):
        WTF_CSRF_ENABLED = True

    client = create_app(WithCsrf()).test_client()
    response = post(client, csv_text([("F", FAMILY)]).encode())
    assert response.status_code == 400
    assert "application/zip" not in response.content_type


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
          + b"".join(b'<!ENTITY %c "%s">' % (98 + i, b"&%c;" % (97 + i) * 10) for i in range(9))
          + b"]>")


def _broken(how: str) -> bytes:
    """A real one-household workbook with one part broken as `how` says."""
    parts = xlsx_parts([("F", FAMILY)])
    sheet = parts["xl/worksheets/sheet1.xml"]
    if how == "cut":  # XML that is not well-formed
        parts["xl/worksheets/sheet1.xml"] = sheet[:len(sheet) // 2]
    elif how == "entities":  # a billion laughs: expat stops it, and raises
        parts["xl/worksheets/sheet1.xml"] = LAUGHS + sheet.replace(b"<t>F</t>", b"<t>&j;</t>")
    elif how == "content-types":
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b' ContentType="', b' Kind="')
    return zipped(parts)


@pytest.mark.parametrize("how", ["cut", "entities", "content-types"])
@pytest.mark.parametrize("lang, words", [("en", "not a spreadsheet that can be read"),
                                         ("zh", "不是可以读取的表格")])
def test_a_workbook_with_broken_xml_is_refused_not_a_500(client, how, lang, words):
    response = post(client, _broken(how), name="register.xlsx", lang=lang)
    assert response.status_code == 400
    summary = BeautifulSoup(response.text, "html.parser").select_one(".error-summary")
    assert words in summary.get_text()
