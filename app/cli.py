"""`flask --app wsgi check FILE.json`: the API's answer on the command line."""

from __future__ import annotations

import json
import sys

import click
from flask import Flask
from flask_babel import force_locale

from app import messages, service
from app.batch import cli as batch_cli
from app.numbers import loads_json
from app.validation import InvalidRequest


def register(app: Flask) -> None:
    batch_cli.register(app)

    @app.cli.command("check")
    @click.argument("file", type=click.File("rb"))
    @click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
    def check(file, lang: str) -> None:
        """Check the household in FILE (JSON as for POST /api/v1/check; - reads stdin)."""
        with force_locale(lang):
            try:
                payload = loads_json(file.read())
            except (ValueError, UnicodeDecodeError, RecursionError):
                click.echo(json.dumps({"error": "invalid_json", "message": messages.invalid_json()},
                                      ensure_ascii=False, indent=2), err=True)
                sys.exit(2)
            try:
                parsed = service.parse(payload)
            except InvalidRequest as invalid:
                body = {"error": "invalid_household", "message": messages.invalid_household(),
                        "errors": [messages.problem_dict(p) for p in invalid.problems]}
                click.echo(json.dumps(body, ensure_ascii=False, indent=2), err=True)
                sys.exit(2)
            click.echo(json.dumps(service.check(parsed, lang), ensure_ascii=False, indent=2))
