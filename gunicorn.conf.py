"""gunicorn settings for `make run`. PORT overrides the port; BIND overrides the address.

What protects a bare `make run` from slow and malformed requests (README, "Serving"):
- gevent workers: each connection is a greenlet, not a thread, so connections that
  trickle in a byte at a time (up to worker_connections per worker) cannot hold every
  worker; a check runs synchronously (the durable_rules C module, no timer threads,
  see shared/durable-rules.md) and takes milliseconds;
- a deadline on a request's head: gunicorn's gevent worker reads it within `keepalive`
  seconds or closes the connection; the body has its own deadline in the app
  (app/request_guard.py, BODY_SECONDS);
- every line gunicorn writes goes through the privacy filter; the access log is off.
"""

import gc
import os
import signal

# SECRET_KEY required, metrics of all workers, no Server header: see gunicorn_hooks.py.
# Nothing here imports the app: gunicorn_hooks must set PROMETHEUS_MULTIPROC_DIR before
# prometheus_client is first imported.
from gunicorn_hooks import child_exit, on_exit  # noqa: F401

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# compile the rule files once, before forking; workers share them copy-on-write
preload_app = True
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gevent"
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "1000"))
# seconds to wait for a request's head (and for the next one on a kept-alive connection)
keepalive = 5
timeout = 30
# no access log: request lines could carry what a resident typed in a query string
accesslog = None
errorlog = "-"
loglevel = "info"
# every line gunicorn writes goes through the privacy filter (app/log_privacy.py)
logger_class = "app.log_privacy.PrivateGunicornLogger"
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# gunicorn's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl),
# which several instances on one host would share: none unless one is asked for
control_socket = os.environ.get("CONTROL_SOCKET", "")
control_socket_disable = not control_socket


def pre_request(worker, req):
    """A body the app stops reading (over the limit, or chunked and perhaps broken)
    leaves the connection unusable: answer it with "Connection: close" rather than
    announce keep-alive and then close."""
    from app.config import Config  # the app is loaded by now (preload_app)

    headers = dict(req.headers)
    length = headers.get("CONTENT-LENGTH", "")
    if "TRANSFER-ENCODING" in headers or (length.isdigit() and
                                          int(length) > Config.MAX_CONTENT_LENGTH):
        req.force_close()


def post_fork(server, worker):
    """Until a new worker installs its own signal handlers (gevent's set-up takes a
    moment), a stop signal from the master must stop it, not be lost in the handler the
    worker inherited from the master (which only queues it): the master then waited the
    whole graceful timeout for a worker that never heard it."""
    for sig in (signal.SIGTERM, signal.SIGQUIT, signal.SIGINT):
        signal.signal(sig, signal.SIG_DFL)


def when_ready(server):
    """The app, its compiled rules and prepared texts are loaded (preload_app): move them
    out of the collector's reach. Each request's garbage collections then scan only what
    requests made (about half the collection time), and workers forked later keep
    sharing those pages with the master instead of copying them when the collector
    touches them."""
    gc.freeze()
