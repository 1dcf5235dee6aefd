from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation

from himaya.agencies.permissions import capability_table

INTRO = """# Access: roles and capabilities

A person holds roles through memberships of agencies; a role grants capabilities. This
table is generated from the declarations in code (`declare(...)` in each app's
`permissions.py`) by `manage.py capability_table --write docs/access.md`, and a test fails
when the two differ.

A capability says what a person may do; which records it reaches is decided by the
selectors of each app: a case worker or supervisor reaches the cases led by their own
agency; partner agency staff reach only referrals addressed to their agency, only the
fields the referral shares, and only while it is open; shelter staff reach their shelters'
residents by code and first name; analysts reach aggregates only. Anything outside a
person's scope answers "not found", the same as a record that does not exist. The system
administrator manages users and agencies and reaches no survivor's data.

"""


class Command(BaseCommand):
    help = "Print (or write into a file) the role × capability table declared in code."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--write", metavar="PATH", help="write the access document here")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("en"):
            document = INTRO + capability_table() + "\n"
        if options["write"]:
            Path(options["write"]).write_text(document, encoding="utf-8")
        else:
            self.stdout.write(document, ending="")
