"""Issue a one-time authenticator enrolment code from the command line.

For the first administrators of an installation, who have no other administrator to
issue theirs. The code is printed once; the issue is written to the audit trail.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from himaya.accounts.actions import enrolment_code_lifetime, issue_bootstrap_enrolment_code
from himaya.accounts.models import User


class Command(BaseCommand):
    help = "Print a one-time enrolment code for USER's authenticator (installation set-up)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError("No such active user.")
        code = issue_bootstrap_enrolment_code(user=user)
        hours = int(enrolment_code_lifetime().total_seconds() // 3600)
        self.stdout.write(f"Enrolment code for {user.username}: {code} (valid {hours} hours)")
