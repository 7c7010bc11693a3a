"""Revoke an API token, given the first characters of it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laurel.api.services import api_token_revoke_by_prefix
from laurel.errors import LaurelError


class Command(BaseCommand):
    help = "Revoke an API token: give its first characters (at least the 12 shown as its prefix)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help="the start of the token, e.g. lrl_AbCdEfGh")

    def handle(self, *args: Any, **options: Any) -> None:
        prefix = options["prefix"][:12]
        if len(prefix) < 12:
            raise CommandError("Give at least the first 12 characters of the token.")
        try:
            token = api_token_revoke_by_prefix(prefix=prefix)
        except LaurelError as error:
            raise CommandError(error.detail) from None
        self.stdout.write(f"Revoked token {token.prefix}… ({token.name or 'unnamed'}).")
