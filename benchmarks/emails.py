"""Benchmark of award emails: how fast one worker sends them into a loopback SMTP server,
beside plain ``smtplib`` sending the same emails to the same server (the floor).

    python benchmarks/emails.py [--emails 2000]

On SQLite it uses ``var/bench-emails.sqlite3`` (made afresh); with ``DATABASE_URL`` set to
PostgreSQL, a database of its own beside that one (its name with ``_emails``), made
afresh, so that no other benchmark's queued emails are sent with these. An SMTP server
(aiosmtpd) runs in a process of its own on 127.0.0.1. One certificate is awarded to
``--emails`` people at once, which queues their emails in the outbox. Then:

- the floor: the same emails, put together beforehand, sent with ``smtplib`` over one
  connection, as fast as it goes;
- the worker: the outbox worker's own loop (``run_batch``: claim a batch, read its
  certificates, then for each email put it together, send it and record the attempt,
  from the worker's recording thread while the next email begins) until the outbox is
  empty.

It prints both rates and their ratio. Target: the worker at least half the floor. The
per-organisation rate limit is switched off here (it would measure itself). ``make bench``
runs it with ``LAUREL_DEBUG=1``; debug is switched off once Django has started, as a
worker runs in production (with debug on, Django keeps the text of every query).
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import secrets
import smtplib
import socket
import time
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event
from pathlib import Path

VAR = Path(__file__).resolve().parents[1] / "var"
TARGET_RATIO = 0.5


def prepare_database() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        name = url.rsplit("/", 1)[1] + "_emails"
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    else:
        path = VAR / "bench-emails.sqlite3"
        VAR.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laurel.settings")
    os.environ["LAUREL_OUTBOX_ORGANISATION_RATE"] = "0"
    os.environ["SITE_URL"] = "https://laurel.example.org"


class Counting:
    """An SMTP handler that only counts what it accepted."""

    def __init__(self, accepted: Synchronized[int]) -> None:
        self.accepted = accepted

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        with self.accepted.get_lock():
            self.accepted.value += 1
        return "250 Message accepted for delivery"


def serve_smtp(port: int, accepted: Synchronized[int], stop: Event) -> None:
    """The SMTP server, in a process of its own: its work does not compete with the
    sender's for one interpreter."""
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(Counting(accepted), hostname="127.0.0.1", port=port)
    controller.start()
    stop.wait()
    controller.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_listening(port: int) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--emails", type=int, default=2000)
    args = parser.parse_args()
    prepare_database()

    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)

    from laurel.accounts.models import User
    from laurel.certificates.factories import make_certificate
    from laurel.certificates.services import certificate_award, progress_rebuild
    from laurel.notifications.services import award_email_send
    from laurel.outbox.models import Message
    from laurel.outbox.worker import Recorder, run_batch
    from laurel.programs.models import Participant
    from laurel.programs.services import organisation_create, program_create

    tag = secrets.token_hex(3)
    organisation = organisation_create(name=f"Bench {tag}", slug=f"bench-{tag}")
    program = program_create(organisation=organisation, name="Leaders 2026", kind="one_on_one")
    users = User.objects.bulk_create(
        [User(email=f"p{n}-{tag}@example.org", name=f"Person {n}") for n in range(args.emails)]
    )
    people = Participant.objects.bulk_create(
        [Participant(program=program, user=user, role="mentee") for user in users]
    )
    progress_rebuild(program=program)
    definition = make_certificate(program, threshold=None, enabled=True)
    result = certificate_award(
        definition=definition, by=None, participant_ids=[p.pk for p in people]
    )
    queued = Message.objects.filter(status="pending", organisation_id=organisation.pk)
    assert queued.count() == args.emails == len(result.awarded)

    port = free_port()
    accepted: Synchronized[int] = multiprocessing.Value("i", 0)  # type: ignore[assignment]
    stop = multiprocessing.Event()
    server = multiprocessing.Process(target=serve_smtp, args=(port, accepted, stop), daemon=True)
    server.start()
    wait_until_listening(port)
    try:
        # The same emails as the worker sends, put together by the same code beforehand.
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        mail.outbox = []
        for award_id in result.awarded:
            award_email_send(award_id=award_id)
        prepared = [(m.from_email, m.to, m.message().as_bytes(linesep="\r\n")) for m in mail.outbox]
        size = sum(len(data) for _, _, data in prepared) / len(prepared)

        start = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as client:
            for sender, recipients, data in prepared:
                client.sendmail(sender, recipients, data)
        floor_seconds = time.perf_counter() - start

        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        accepted_before = accepted.value
        # As the worker process does: one recorder (its thread and connection) for the run.
        recorder = Recorder()
        start = time.perf_counter()
        while run_batch(worker_id=f"bench-{tag}", recorder=recorder):
            pass
        recorder.close()
        worker_seconds = time.perf_counter() - start
        sent_by_worker = accepted.value - accepted_before
    finally:
        stop.set()
        server.join(timeout=10)

    assert sent_by_worker == args.emails, f"the worker sent {sent_by_worker}"
    assert not queued.exists()
    floor_rate = args.emails / floor_seconds
    worker_rate = args.emails / worker_seconds
    ratio = worker_rate / floor_rate
    print(
        f"Award emails into a loopback SMTP server ({connection.vendor},"
        f" {args.emails} emails of {size / 1024:.1f} KiB, worker batches of"
        f" {settings.OUTBOX_BATCH_SIZE}):"
    )
    print(f"  floor, smtplib over one connection: {floor_rate:8.0f} emails/s")
    print(f"  one outbox worker:                  {worker_rate:8.0f} emails/s")
    print(
        f"  worker / floor:                     {ratio:8.2f}"
        f"  (target at least {TARGET_RATIO}: {'met' if ratio >= TARGET_RATIO else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
