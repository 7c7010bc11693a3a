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
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(f"Built the demo organisation {organisation.name}.")
            )
        else:
            self.stdout.write(f"The demo organisation {organisation.name} exists already.")
        # Printed every time, so that `make run` always shows how to sign in.
        width = max(len(role) for role, _, _ in DEMO_LOGINS)
        self.stdout.write("Demo logins:")
        for role, email, password in DEMO_LOGINS:
            self.stdout.write(f"  {role:<{width}}  {email}  {password}")
