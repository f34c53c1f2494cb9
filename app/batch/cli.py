"""`flask --app wsgi screen IN OUT`: screen a spreadsheet of households.

OUT's extension (.csv or .xlsx) chooses the output format; beside it come
OUT's name with .summary, .problems (same format) and .referrals.html.
Exit code 0: every household screened; 1: some households left out (listed on
stderr and in the problems file); 2: the file was refused and nothing written.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask_babel import force_locale

from app.batch import messages
from app.batch.job import layout_for, screen_file
from app.batch.read import MAX_BYTES, FileRefused, file_format


def output_paths(out: Path) -> dict[str, Path]:
    stem, ext = out.with_suffix(""), out.suffix
    return {"results": out, "summary": Path(f"{stem}.summary{ext}"),
            "problems": Path(f"{stem}.problems{ext}"),
            "referrals": Path(f"{stem}.referrals.html")}


def register(app: Flask) -> None:
    @app.cli.command("screen")
    @click.argument("infile", metavar="IN", type=click.Path(exists=True, dir_okay=False,
                                                             path_type=Path))
    @click.argument("outfile", metavar="OUT", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
    @click.option("--workers", type=click.IntRange(1, 64), default=os.cpu_count() or 1,
                  show_default="the number of cores", help="processes that screen")
    def screen(infile: Path, outfile: Path, lang: str, workers: int) -> None:
        """Screen every household in IN (.csv or .xlsx, one row per member) into OUT."""
        with force_locale(lang):
            layout = layout_for(current_app)
            try:
                fmt, out_fmt = file_format(infile.name), file_format(outfile.name)
                if infile.stat().st_size > MAX_BYTES:
                    raise FileRefused("too_large")
            except FileRefused as refused:
                click.echo(messages.refused(refused, layout, lang), err=True)
                sys.exit(2)
            paths = output_paths(outfile)
            streams: dict = {}

            def open_outputs():
                streams.update({k: p.open("wb") for k, p in paths.items()})
                return streams

            def bar(total: int):
                return click.progressbar(length=total, file=sys.stderr,
                                         label=messages.progress_label())

            try:
                outcome = screen_file(infile, fmt, out_fmt, lang, open_outputs,
                                      workers=workers, progress=bar)
            except FileRefused as refused:
                click.echo(messages.refused(refused, layout, lang), err=True)
                sys.exit(2)
            finally:
                for stream in streams.values():
                    stream.close()
            for p in outcome.problems:
                click.echo(messages.problem_line(p, layout, lang), err=True)
            click.echo(messages.summary_line(outcome, paths))
            sys.exit(1 if outcome.left_out else 0)
