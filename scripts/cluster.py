"""`make cluster`: nginx in front of two gunicorn instances, all on 127.0.0.1, as this user.

    python scripts/cluster.py start   # nginx on 127.0.0.1:$CLUSTER_PORT (8080)
    python scripts/cluster.py status
    python scripts/cluster.py stop

Everything lives in .cluster/ of the checkout: the rendered nginx.conf (the
production snippets of deploy/nginx/ with this cluster's upstream), pid files,
logs (upstream.log: which instance answered each request) and nginx's temporary
files. Both instances get the same SECRET_KEY (the
environment's, or one made for this cluster), as every instance behind one
address must. Tests and `make soak` drive the same Cluster class.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy" / "nginx"
GUNICORN = Path(sys.executable).with_name("gunicorn")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

NGINX_CONF = """\
{user}worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {run}/tmp/body;
    proxy_temp_path {run}/tmp/proxy;
    fastcgi_temp_path {run}/tmp/fastcgi;
    uwsgi_temp_path {run}/tmp/uwsgi;
    scgi_temp_path {run}/tmp/scgi;
    include snippets/fengtai-http.conf;
    access_log {run}/access.log fengtai;
    # which instance answered each request, for the cluster's test (the production site
    # file has no such log): method, path, status and the instance's 127.0.0.1 address
    log_format fengtai_upstream '$request_method $uri $status $upstream_addr';
    access_log {run}/upstream.log fengtai_upstream;
    server {{
        listen 127.0.0.1:{port};
        set $fengtai_root {root};
        include snippets/fengtai-app.conf;
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer 200 within {seconds:.0f} s")
        time.sleep(0.1)


def alive(pid: int) -> bool:
    """Running (an exited child not yet waited for is a zombie: not running)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def stop_pid(pid: int, seconds: float = 30) -> None:
    if not alive(pid):
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + seconds
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive(pid):
        os.kill(pid, signal.SIGKILL)


class Cluster:
    def __init__(self, run: Path | None = None, port: int | None = None,
                 instances: int = 2, api_rate: str | None = None,
                 env: dict[str, str] | None = None, graceful_seconds: int = 5):
        self.run = Path(run or ROOT / ".cluster")
        self.state_file = self.run / "cluster.json"
        self.port = port or int(os.environ.get("CLUSTER_PORT", "8080"))
        self.count, self.api_rate, self.env = instances, api_rate, env or {}
        self.graceful_seconds = graceful_seconds
        self.state: dict = {}
        self.processes: dict[int, subprocess.Popen] = {}  # the instances this object started
        if self.state_file.exists():
            self.state = json.loads(self.state_file.read_text())
            self.port = self.state["port"]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def instance_url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.state['instances'][n]}"

    def master_pid(self, n: int) -> int:
        return int((self.run / f"gunicorn-{n}.pid").read_text())

    def _render(self) -> None:
        snippets = self.run / "snippets"
        snippets.mkdir(parents=True, exist_ok=True)
        for tmp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.run / "tmp" / tmp).mkdir(parents=True, exist_ok=True)
        for name in ("fengtai-http.conf", "fengtai-app.conf"):
            text = (DEPLOY / name).read_text()
            if self.api_rate and name == "fengtai-http.conf":
                text = text.replace("rate=10r/s", f"rate={self.api_rate}")
                text = text.replace("rate=5r/s", f"rate={self.api_rate}")
            (snippets / name).write_text(text)
        (snippets / "fengtai-upstream.conf").write_text("".join(
            f"server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n"
            for p in self.state["instances"]))
        user = f"user {pwd.getpwuid(os.getuid()).pw_name};\n" if os.geteuid() == 0 else ""
        (self.run / "nginx.conf").write_text(NGINX_CONF.format(
            user=user, run=self.run, port=self.port, root=ROOT))

    def _nginx(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([NGINX, "-p", str(self.run), "-c", str(self.run / "nginx.conf"),
                               "-e", str(self.run / "nginx-error.log"), *args],
                              capture_output=True, text=True, timeout=30)

    def start_instance(self, n: int) -> None:
        port = self.state["instances"][n]
        env = {**os.environ, "SECRET_KEY": self.state["secret"], **self.env,
               "BIND": f"127.0.0.1:{port}"}
        log = open(self.run / f"instance-{n}.log", "ab")  # noqa: SIM115 (kept by the child)
        self.processes[n] = subprocess.Popen([
            str(GUNICORN), "-c", "gunicorn.conf.py", "--no-control-socket",
            # idle keep-alive connections from nginx do not hold a stop for 30 s
            "--graceful-timeout", str(self.graceful_seconds),
            "--pid", str(self.run / f"gunicorn-{n}.pid"), "wsgi:app"],
                         cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        wait_for(f"http://127.0.0.1:{port}/healthz")
        deadline = time.monotonic() + 10
        while not (self.run / f"gunicorn-{n}.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop_instance(self, n: int) -> None:
        pid_file = self.run / f"gunicorn-{n}.pid"
        if pid_file.exists():
            stop_pid(int(pid_file.read_text()))
            pid_file.unlink(missing_ok=True)
        process = self.processes.pop(n, None)
        if process is not None:
            process.wait(timeout=30)

    def start(self) -> Cluster:
        if self.state:
            raise RuntimeError(f"a cluster is already running from {self.run}: stop it first")
        self.run.mkdir(parents=True, exist_ok=True)
        self.state = {"port": self.port, "instances": [free_port() for _ in range(self.count)],
                      "secret": os.environ.get("SECRET_KEY") or secrets.token_hex(32)}
        self.state_file.write_text(json.dumps(self.state))
        self.state_file.chmod(0o600)
        try:
            for n in range(self.count):
                self.start_instance(n)
            self._render()
            checked = self._nginx("-t")
            if checked.returncode != 0:
                raise RuntimeError("nginx -t failed:\n" + checked.stderr)
            started = self._nginx()
            if started.returncode != 0:
                raise RuntimeError("nginx did not start:\n" + started.stderr)
            wait_for(self.base + "/healthz")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        nginx_pid = self.run / "nginx.pid"
        if nginx_pid.exists():
            stop_pid(int(nginx_pid.read_text()))
            nginx_pid.unlink(missing_ok=True)
        for n in range(len(self.state.get("instances", ()))):
            self.stop_instance(n)
        self.state_file.unlink(missing_ok=True)
        self.state = {}

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "start"
    cluster = Cluster()
    if command == "start":
        cluster.start()
        print(f"nginx on {cluster.base}/ in front of " +
              ", ".join(f"127.0.0.1:{p}" for p in cluster.state["instances"]) +
              f" (logs in {cluster.run}). Stop with: make cluster-stop")
    elif command == "stop":
        if not cluster.state:
            print("no cluster is running")
        cluster.stop()
    elif command == "status":
        print(json.dumps({k: v for k, v in cluster.state.items() if k != "secret"})
              if cluster.state else "no cluster is running")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
