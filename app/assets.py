"""Static files under names that change when their content changes.

`url_for('static', filename='css/app.css')` gives `/static/css/app.<hash>.css`,
the hash being the first 12 hex digits of the file's SHA-256 (computed once at
start-up). A browser or nginx may then keep a file for a year: a new version has
a new name. The app serves both the hashed and the plain name; deploy/nginx
serves them itself, mapping the hashed name back to the file.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import Flask, abort, send_from_directory

HASHED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{12})(?P<ext>\.[A-Za-z0-9]+)$")
YEAR = 365 * 24 * 3600


def hashed_name(name: str, content: bytes) -> str:
    path = Path(name)
    digest = hashlib.sha256(content).hexdigest()[:12]
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def init_assets(app: Flask) -> None:
    folder = Path(app.static_folder)
    names = {str(p.relative_to(folder)): hashed_name(str(p.relative_to(folder)), p.read_bytes())
             for p in sorted(folder.rglob("*")) if p.is_file()}
    plain = {hashed: name for name, hashed in names.items()}
    app.extensions["static_names"] = names

    @app.url_defaults
    def hashed_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in names:
            values["filename"] = names[values["filename"]]

    def static(filename: str):
        if filename in plain:
            response = send_from_directory(folder, plain[filename], max_age=YEAR)
            response.cache_control.public = True
            response.cache_control.immutable = True
            return response
        if HASHED.match(filename):
            abort(404)  # an older version: not kept
        return app.send_static_file(filename)

    app.view_functions["static"] = static
