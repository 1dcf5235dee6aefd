"""Give a role at once, without a second administrator: for setting up an installation.

The first administrators of a new installation have nobody to approve them. Whoever runs
this command holds the server; the grant is written to the audit trail.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from himaya.agencies.actions import bootstrap_membership
from himaya.agencies.models import Agency, Role


class Command(BaseCommand):
    help = "Give USER the ROLE in the agency with CODE at once (installation set-up only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("agency_code")
        parser.add_argument("role", choices=Role.values)

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        agency = Agency.objects.filter(code=options["agency_code"]).first()
        if user is None or agency is None:
            raise CommandError("No such user or agency.")
        membership = bootstrap_membership(user=user, agency=agency, role=options["role"])
        self.stdout.write(f"{membership} is active")
