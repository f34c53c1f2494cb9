"""gunicorn settings for `make run`. PORT overrides the port; BIND overrides the address."""

import os

# SECRET_KEY required, metrics of all workers, no Server header: see gunicorn_hooks.py
from gunicorn_hooks import child_exit, on_exit  # noqa: F401

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# compile the rule files once, before forking; workers share them copy-on-write
preload_app = True
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("THREADS", "4"))
timeout = 30
# no access log: request lines could carry what a resident typed in a query string
accesslog = None
errorlog = "-"
loglevel = "info"
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
