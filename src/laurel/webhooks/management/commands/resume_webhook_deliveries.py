"""Queue again the webhook deliveries that are due but were left behind."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from laurel.webhooks.services import webhook_deliveries_resume


class Command(BaseCommand):
    help = "Queue again webhook deliveries that are due but not queued (e.g. after a crash)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Queued {webhook_deliveries_resume()} deliveries again.")
