from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError

import laurel

# Long enough for the worker to finish a message and gunicorn to finish its requests; a
# message cut short here is run again once its lease ends.
STOP_TIMEOUT_SECONDS = 30
START_TIMEOUT_SECONDS = 30
POLL_SECONDS = 0.2
RESTART_FIRST_WAIT_SECONDS = 1.0
RESTART_LONGEST_WAIT_SECONDS = 60.0
RESTART_RESET_SECONDS = 60.0


class Command(BaseCommand):
    help = (
        "Run the web server (gunicorn) and the background worker together; stop both on"
        " Ctrl+C or SIGTERM. A worker that dies is started again; if the web server stops,"
        " both stop."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="Web server processes.")
        parser.add_argument("--threads", type=int, default=2, help="Threads per web process.")

    def handle(
        self, *args: Any, host: str, port: int, workers: int, threads: int, **options: Any
    ) -> None:
        self.stop_signal: int | None = None
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self.request_stop)

        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        web_server = ["laurel.wsgi:application", "--bind", bind]
        web_server += ["--workers", str(workers), "--threads", str(threads), "--no-control-socket"]
        self.worker_started = time.monotonic()
        children = {
            "web server": self.start("gunicorn", *web_server),
            "worker": self.start_worker(),
        }
        try:
            stopped = self.wait_until_listening(host=host, port=port, children=children)
            if stopped is None:
                self.announce(f"http://{bind}/")
                stopped = self.wait_for_exit(children)
        finally:
            self.stop(children)
        if stopped is not None:
            name, code = stopped
            raise CommandError(f"The {name} stopped unexpectedly ({_how(code)}); stopped Laurel.")

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        # Only the first signal counts: Ctrl+C in a terminal or `kill` of the process group
        # may deliver several, and the children are told once, because a second SIGTERM
        # makes the worker abandon the task it is running.
        if self.stop_signal is None:
            self.stop_signal = signum

    def start(self, module: str, *arguments: str) -> subprocess.Popen[bytes]:
        environment = os.environ.copy()
        source_dir = str(Path(laurel.__file__).resolve().parent.parent)
        environment["PYTHONPATH"] = os.pathsep.join(
            [source_dir, *filter(None, [environment.get("PYTHONPATH")])]
        )
        environment.setdefault("DJANGO_SETTINGS_MODULE", "laurel.settings")
        # Each child gets its own process group, so a Ctrl+C reaches only this process,
        # which then stops the children once, in order.
        return subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            [sys.executable, "-m", module, *arguments],
            env=environment,
            process_group=0,
            preexec_fn=_stop_with_parent if sys.platform == "linux" else None,
        )

    def wait_until_listening(
        self, *, host: str, port: int, children: dict[str, subprocess.Popen[bytes]]
    ) -> tuple[str, int] | None:
        """Wait until the web server accepts connections; return it if it stopped (a worker
        that stops is started again later)."""
        probe_host = "127.0.0.1" if host in {"0.0.0.0", "", "::"} else host  # noqa: S104
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while self.stop_signal is None and time.monotonic() < deadline:
            if (code := children["web server"].poll()) is not None:
                return "web server", code
            try:
                with socket.create_connection((probe_host, port), timeout=POLL_SECONDS):
                    return None
            except OSError:
                time.sleep(POLL_SECONDS)
        return None

    def start_worker(self) -> subprocess.Popen[bytes]:
        return self.start("django", "worker")

    def wait_for_exit(self, children: dict[str, subprocess.Popen[bytes]]) -> tuple[str, int] | None:
        restart_wait = RESTART_FIRST_WAIT_SECONDS
        restart_at: float | None = None
        while self.stop_signal is None:
            worker = children["worker"]
            if restart_at is None and (code := worker.poll()) is not None:
                # The site stays up: the worker's messages wait in the database, and a new
                # worker takes over the ones it was running once their lease runs out.
                self.stderr.write(
                    f"The worker stopped unexpectedly ({_how(code)}); starting it again"
                    f" in {restart_wait:.0f} s."
                )
                restart_at = time.monotonic() + restart_wait
                # A worker that keeps dying at start is restarted less and less often.
                started_long_ago = time.monotonic() - self.worker_started > RESTART_RESET_SECONDS
                restart_wait = (
                    RESTART_FIRST_WAIT_SECONDS
                    if started_long_ago
                    else min(restart_wait * 2, RESTART_LONGEST_WAIT_SECONDS)
                )
            if restart_at is not None and time.monotonic() >= restart_at:
                children["worker"] = self.start_worker()
                self.worker_started = time.monotonic()
                restart_at = None
            web_code = children["web server"].poll()
            if web_code is not None:
                return "web server", web_code
            time.sleep(POLL_SECONDS)
        return None

    def stop(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for name, child in children.items():
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"The {name} did not stop in time; killing it.")
                child.kill()
                child.wait()

    def announce(self, url: str) -> None:
        lines = ["", f"Laurel is running at {url}  (Ctrl+C to stop)"]
        self.stdout.write("\n".join([*lines, ""]))
        self.stdout.flush()


def _how(code: int) -> str:
    return f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"


def _stop_with_parent() -> None:
    """Runs in the child before it starts: if this process dies without stopping it (kill
    -9), the kernel sends the child SIGTERM, so no server is left holding the port."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
