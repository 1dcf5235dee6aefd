"""A child process for the crash tests: run one multi-step write on the database named by
``DATABASE_URL`` and kill itself (SIGKILL, no clean-up of any kind) at a chosen point
inside the write, before its transaction commits.

    python -m himaya.integrity.tests.crash_child <scenario> <point> '<json arguments>'

The point ``none`` lets the write finish.
"""

import json
import os
import signal
import sys
from collections.abc import Callable
from typing import Any


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def kill_after(module: Any, name: str) -> None:
    """Let ``module.name`` run, then die before the caller goes on."""
    original: Callable[..., Any] = getattr(module, name)

    def fatal(*args: Any, **kwargs: Any) -> Any:
        original(*args, **kwargs)
        die()

    setattr(module, name, fatal)


def kill_before(module: Any, name: str) -> None:
    def fatal(*args: Any, **kwargs: Any) -> Any:
        die()

    setattr(module, name, fatal)


def referral(point: str, args: dict[str, Any]) -> None:
    from himaya.accounts.models import User
    from himaya.agencies.models import Agency
    from himaya.cases.models import Case
    from himaya.referrals import actions
    from himaya.services.models import ServiceType

    if point == "before_audit":
        kill_before(actions, "record_on_case")
    elif point == "after_audit":
        kill_after(actions, "record_on_case")
    actions.create_referral(
        case=Case.objects.get(code=args["case"]),
        to_agency=Agency.objects.get(code=args["to_agency"]),
        service_type=ServiceType.objects.get(code=args["service_type"]),
        shared_fields=["first_name", "languages"],
        by=User.objects.get(username=args["by"]),
    )


def payment(point: str, args: dict[str, Any]) -> None:
    from himaya.accounts.models import User
    from himaya.fund import actions
    from himaya.fund.models import PaymentRequest

    if point == "after_ledger":
        kill_after(actions, "_entry")
    elif point == "after_audit":
        kill_after(actions, "record_event")
    request = PaymentRequest.objects.get(code=args["payment"])
    actions.record_payment(
        payment=request,
        by=User.objects.get(username=args["by"]),
        method="cash",
        reference="R-1",
        expected_version=request.version,
    )


def transfer(point: str, args: dict[str, Any]) -> None:
    from himaya.accounts.models import User
    from himaya.shelters import actions
    from himaya.shelters.models import Shelter, Stay

    if point == "after_end":
        kill_after(actions, "_end")
    elif point == "after_open":
        kill_after(actions, "_open_stay")
    stay = Stay.objects.get(code=args["stay"])
    actions.transfer_stay(
        stay=stay,
        shelter=Shelter.objects.get(code=args["shelter"]),
        by=User.objects.get(username=args["by"]),
        expected_version=stay.version,
    )


SCENARIOS = {"referral": referral, "payment": payment, "transfer": transfer}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaya.settings")
    import django

    django.setup()
    scenario, point, raw = sys.argv[1:4]
    SCENARIOS[scenario](point, json.loads(raw))


if __name__ == "__main__":
    main()
