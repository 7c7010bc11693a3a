"""Forget rate-limit windows that have ended."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from laurel.accounts.services import rate_limits_prune


class Command(BaseCommand):
    help = "Delete the counters of rate-limit windows that have ended."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Deleted {rate_limits_prune()} ended rate-limit windows.")
