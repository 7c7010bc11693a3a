"""Create an organisation and its first admin, and print the link that signs them in."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laurel.errors import LaurelError
from laurel.programs.invitations import VALID_FOR, invitation_url, organisation_found


class Command(BaseCommand):
    help = (
        "Create an organisation (its short name made from the name) and its first admin"
        " (created if new), and print a one-time link, valid for 7 days, that signs the"
        " admin in and asks them to choose a password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="The organisation's name.")
        parser.add_argument("--admin-email", required=True, help="The first admin's email.")
        parser.add_argument(
            "--admin-name", default="", help="The admin's name (if they are new to Laurel)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            founded = organisation_found(
                name=options["name"],
                admin_email=options["admin_email"],
                admin_name=options["admin_name"],
            )
        except LaurelError as error:
            raise CommandError(error.detail) from None
        days = VALID_FOR.days
        self.stdout.write(
            f"Created {founded.organisation.name} (short name {founded.organisation.slug}),"
            f" administered by {founded.admin.email}.\n"
            f"Sign-in link for {founded.admin.email} (works once, for {days} days):\n"
            f"{invitation_url(founded.invitation)}"
        )
