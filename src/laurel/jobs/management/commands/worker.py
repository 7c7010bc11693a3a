from __future__ import annotations

import logging
import os
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.management.commands.db_worker import valid_interval

from laurel.jobs.worker import Worker


class Command(DatabaseWorkerCommand):
    help = (
        "Run background tasks: failed tasks are retried with backoff, tasks whose worker died"
        " run again, and elapsed sessions are completed every --sweep-interval seconds."
        " Several workers may run at once against one database."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--sweep-interval",
            type=valid_interval,
            default=settings.WORKER_SWEEP_INTERVAL_SECONDS,
            help="Seconds between sweeps (default: %(default)r).",
        )

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        laurel_logger = logging.getLogger("laurel.jobs")
        laurel_logger.setLevel(logging.DEBUG if verbosity > 1 else logging.INFO)
        if verbosity == 1:
            # The parent loop runs once per poll here and would announce each start and
            # stop; its warnings (shutdown) and errors still show.
            logging.getLogger("django_tasks_db").setLevel(logging.WARNING)

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        sweep_interval: float = options["sweep_interval"]
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            excluded_queue_names=excluded_queue_names,
            interval=interval,
            exit_when_idle=batch,
            sweep_interval=sweep_interval,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
        )
        if reload and not batch:
            # Only the reloader's child runs the worker, so only it takes the signals.
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
