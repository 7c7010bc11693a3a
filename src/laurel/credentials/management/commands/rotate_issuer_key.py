from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laurel.credentials.identity import verification_method_id
from laurel.credentials.services import issuer_key_rotate
from laurel.programs.models import Organisation


class Command(BaseCommand):
    help = (
        "Replace an organisation's credential signing key. Credentials signed with the old"
        " key keep verifying; new ones are signed with the new key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="The organisation's slug.")

    def handle(self, *args: Any, org: str, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=org).first()
        if organisation is None:
            raise CommandError(f"There is no organisation with the slug {org!r}.")
        key = issuer_key_rotate(organisation=organisation)
        self.stdout.write(f"New signing key: {verification_method_id(org, key.key_id)}")
