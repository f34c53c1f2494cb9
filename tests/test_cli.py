"""`flask --app wsgi check FILE.json`: the same answer as the API, on the command line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from test_api import CONTRACT_EXAMPLE, post

ROOT = Path(__file__).resolve().parent.parent

INVALID = {"as_of": "2026-13-01", "household": {"hukou": "mars", "pets": 2},
           "members": [{"id": "a", "age": 34.5}, {"id": "a", "disability": "yes"}]}


def _write(tmp_path: Path, payload, name: str = "household.json") -> str:
    file = tmp_path / name
    file.write_text(payload if isinstance(payload, str) else json.dumps(payload,
                                                                        ensure_ascii=False),
                    encoding="utf-8")
    return str(file)


@pytest.mark.parametrize(("args", "query"), [([], ""), (["--lang", "zh"], "?lang=zh"),
                                             (["--lang", "en"], "?lang=en")])
def test_cli_prints_the_same_json_as_the_api(runner, client, tmp_path, args, query):
    path = _write(tmp_path, CONTRACT_EXAMPLE)
    result = runner.invoke(args=["check", path, *args])
    assert result.exit_code == 0, result.output
    api = post(client, CONTRACT_EXAMPLE, query).get_json()
    assert json.loads(result.stdout) == api
    assert api["results"]


def test_cli_reads_stdin(runner, client):
    result = runner.invoke(args=["check", "-"], input=json.dumps(CONTRACT_EXAMPLE))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == post(client, CONTRACT_EXAMPLE).get_json()


@pytest.mark.parametrize(("args", "query"), [([], ""), (["--lang", "en"], "?lang=en")])
def test_invalid_household_exits_2_with_the_api_messages(runner, client, tmp_path, args,
                                                         query):
    result = runner.invoke(args=["check", _write(tmp_path, INVALID), *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    api = post(client, INVALID, query)
    assert api.status_code == 422
    assert json.loads(result.stderr) == api.get_json()
    assert len(api.get_json()["errors"]) == 6


@pytest.mark.parametrize("text", ["{", "", "not json at all", "[" * 5000 + "]" * 5000])
def test_non_json_file_exits_2(runner, tmp_path, text):
    result = runner.invoke(args=["check", _write(tmp_path, text)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert json.loads(result.stderr)["error"] == "invalid_json"


def test_a_number_with_too_many_digits_exits_2_naming_the_field(runner, tmp_path):
    text = '{"members": [{"id": "a", "age": %s}]}' % ("9" * 5000)
    result = runner.invoke(args=["check", _write(tmp_path, text)])
    assert result.exit_code == 2
    errors = json.loads(result.stderr)["errors"]
    assert [(e["path"], e["code"]) for e in errors] == [("members[0].age", "expected_integer")]


@pytest.mark.parametrize("text", ['{"members":[{"id":"\\ud800x"}]}',
                                  '{"members":[{"id":"a","\\udfff":1}]}',
                                  '{"household":{"\\ud800":1},"members":[{"id":"a"}]}'])
def test_a_lone_surrogate_exits_2_with_the_field_named(tmp_path, text):
    """In a real process (stdout is UTF-8 there, as in a terminal), not a traceback."""
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "check",
                           _write(tmp_path, text)], cwd=ROOT, capture_output=True,
                          timeout=120, check=False)
    assert done.returncode == 2, done.stderr[-2000:]
    assert b"Traceback" not in done.stderr
    assert json.loads(done.stderr)["error"] == "invalid_household"


def test_missing_file_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(args=["check", str(tmp_path / "nowhere.json")])
    assert result.exit_code == 2


def test_documented_command_runs_in_a_real_process(tmp_path, client):
    path = _write(tmp_path, CONTRACT_EXAMPLE)
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "check", path,
                           "--lang", "en"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == post(client, CONTRACT_EXAMPLE, "?lang=en").get_json()

    bad = subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "check",
                          _write(tmp_path, INVALID, "bad.json")], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=False)
    assert bad.returncode == 2
    assert json.loads(bad.stderr) == post(client, INVALID).get_json()
