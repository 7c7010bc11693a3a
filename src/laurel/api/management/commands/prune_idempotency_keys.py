"""Forget the answers remembered for idempotency keys once they are older than 24 hours."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from laurel.api.services import idempotency_records_prune


class Command(BaseCommand):
    help = "Delete remembered idempotent answers older than 24 hours."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Deleted {idempotency_records_prune()} remembered answers.")
