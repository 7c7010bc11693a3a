"""A real SMTP server on loopback, and worker processes that send to it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from django.db import connection

import laurel


class Inbox:
    """An SMTP server's handler that keeps every email it accepted."""

    def __init__(self) -> None:
        self.recipients: list[str] = []
        self.raw: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.recipients.extend(envelope.rcpt_tos)
            self.raw.append(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.lock:
            return len(self.recipients)

    def messages(self) -> list[EmailMessage]:
        with self.lock:
            raw = list(self.raw)
        return [message_from_bytes(data, policy=policy.default) for data in raw]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url_for_workers() -> str:
    """The test database, as a URL a worker process can be given."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(database['NAME']).resolve()}"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    return (
        f"postgres://{database['USER']}{password}@{database['HOST'] or '127.0.0.1'}"
        f":{database['PORT'] or 5432}/{database['NAME']}"
    )


def start_worker(
    worker_id: str, smtp_port: int, *, lease_seconds: int = 4, **environment: str
) -> subprocess.Popen[bytes]:
    """``manage.py worker`` in a process of its own, sending to the loopback server."""
    source_dir = str(Path(laurel.__file__).resolve().parent.parent)
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_workers(),
        "DJANGO_SETTINGS_MODULE": "laurel.settings",
        "PYTHONPATH": source_dir,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "LAUREL_OUTBOX_LEASE_SECONDS": str(lease_seconds),
        **environment,
    }
    return subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, "-m", "django", "worker", f"--worker-id={worker_id}", "--interval=0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(condition, *, timeout: float, every: float = 0.05) -> float:
    """Seconds until ``condition()`` held; fails the test after ``timeout``."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, f"not done within {timeout} s"
        time.sleep(every)
    return time.monotonic() - started
