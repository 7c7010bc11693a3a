"""Build the demo organisation (idempotent: a second run changes nothing)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from laurel.demo.northwind import DEMO_LOGINS, build_demo


class Command(BaseCommand):
    help = "Build the Northwind Mentoring demo organisation, unless it exists already."

    def handle(self, *args: Any, **options: Any) -> None:
        result = build_demo()
        organisation = result.organisation
        if not result.created:
            self.stdout.write(f"The demo organisation {organisation.name} exists already.")
            return
        self.stdout.write(self.style.SUCCESS(f"Built the demo organisation {organisation.name}."))
        for role, email, password in DEMO_LOGINS:
            self.stdout.write(f"  {role}: {email} / {password}")
