"""What every gunicorn instance of the checker does, whoever starts it (imported by
gunicorn.conf.py before the app is loaded):

- refuse to start without SECRET_KEY: it signs the forms' CSRF tokens (and, later, the
  answers kept in the browser's session cookie), so every instance behind one address
  must have the same one. `make run` makes one for a local run and says so;
- collect the metrics of every worker in one directory (prometheus_client's
  multiprocess mode), emptied at start (a directory of its own is made when
  PROMETHEUS_MULTIPROC_DIR is not set, and removed at exit), so that /metrics adds
  them up; a worker that exits is marked dead;
- send no `Server: gunicorn` header.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

if not os.environ.get("SECRET_KEY"):
    sys.exit("SECRET_KEY is not set. Set it to a long random value, the same on every instance "
             "(for example: python3 -c 'import secrets; print(secrets.token_hex(32))'). "
             "`make run` makes one for a local run.")

# before prometheus_client is first imported (by the app, loaded after this file)
_own_metrics_dir = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
if _own_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="fengtai-metrics-")
else:  # a directory the operator chose: what an earlier run left there is stale
    for stale in Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).glob("*.db"):
        stale.unlink()

import gunicorn.http.wsgi  # noqa: E402
from prometheus_client import multiprocess  # noqa: E402

_default_headers = gunicorn.http.wsgi.Response.default_headers


def _without_server(self) -> list[str]:
    return [h for h in _default_headers(self) if not h.startswith("Server:")]


gunicorn.http.wsgi.Response.default_headers = _without_server


def child_exit(server, worker) -> None:
    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    if _own_metrics_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
