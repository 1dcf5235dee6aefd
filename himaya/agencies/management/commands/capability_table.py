from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation

from himaya.agencies.permissions import capability_table

INTRO = """# Access: roles and capabilities

A person holds roles through memberships of agencies; a role grants capabilities. This
table is generated from the declarations in code (`declare(...)` in
`himaya/agencies/permissions.py`, the one place where every app's capabilities are
declared) by `manage.py capability_table --write docs/access.md`, and a test fails when
the two differ.

A capability says what a person may do; which records it reaches is decided by the
selectors of each app: a case worker or supervisor reaches the cases led by their own
agency; partner agency staff reach only referrals addressed to their agency, only the
fields the referral shares, and only while it is open; shelter staff reach their shelters'
residents by code and first name; analysts reach aggregates only. Anything outside a
person's scope answers "not found", the same as a record that does not exist. The system
administrator manages users and agencies and reaches no survivor's data.

"""

MEMBERSHIPS = """## Memberships

Memberships change only through `agencies/actions.py`, in the administration site as
elsewhere. Nobody creates, changes, approves or deactivates their own memberships. A
membership with a role marked "four eyes" below is proposed by one administrator and stays
inactive until a second administrator, who is neither the proposer nor the member,
approves it; reactivating such a membership, or giving a membership such a role, needs an
approval again. The other roles are granted at once. Every proposal, grant, approval,
rejection, deactivation, reactivation and role change, and every refused attempt, is an
event of the audit trail. Only the demo and the command line that set up an installation
grant roles directly (`bootstrap_membership`).

"""


def approval_table() -> str:
    from himaya.agencies.models import Role
    from himaya.agencies.rules import APPROVAL_ROLES, SURVIVOR_DATA_ROLES

    lines = ["| role | reaches survivors' data | four eyes |", "| --- | :-: | :-: |"]
    for role in Role:
        data = "✓" if role.value in SURVIVOR_DATA_ROLES else ""
        approval = "✓" if role.value in APPROVAL_ROLES else ""
        lines.append(f"| {role.label} | {data} | {approval} |")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Print (or write into a file) the role × capability table declared in code."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--write", metavar="PATH", help="write the access document here")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("en"):
            document = INTRO + capability_table() + "\n\n" + MEMBERSHIPS + approval_table() + "\n"
        if options["write"]:
            Path(options["write"]).write_text(document, encoding="utf-8")
        else:
            self.stdout.write(document, ending="")
