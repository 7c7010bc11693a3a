from __future__ import annotations

import logging
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from laurel.outbox.worker import Worker


class Command(BaseCommand):
    help = (
        "Deliver what the outbox holds (emails, webhooks) and run the periodic jobs. A failed"
        " message is retried with backoff; a message whose worker died is taken over once its"
        " lease runs out. Run as many workers as needed against one database."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0,
            help="Seconds to wait when nothing is due (default: %(default)s).",
        )  # fmt: skip
        parser.add_argument(
            "--batch-size", type=int, default=None,
            help="Messages claimed at a time (default: OUTBOX_BATCH_SIZE).",
        )  # fmt: skip
        parser.add_argument(
            "--batch", action="store_true",
            help="Run the periodic jobs due and every message due, then stop.",
        )  # fmt: skip
        parser.add_argument("--worker-id", default=None, help="Name shown on claimed messages.")

    def handle(
        self,
        *args: Any,
        verbosity: int,
        interval: float,
        batch_size: int | None,
        batch: bool,
        worker_id: str | None,
        **options: Any,
    ) -> None:
        if interval < 0:
            raise CommandError("--interval must not be negative.")
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
        logging.getLogger("laurel").setLevel(level)
        worker = Worker(
            worker_id=worker_id, poll_seconds=interval, batch_size=batch_size,
            exit_when_idle=batch,
        )  # fmt: skip
        worker.handle_signals()
        worker.run()
