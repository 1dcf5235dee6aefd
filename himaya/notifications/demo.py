"""Demo notifications (synthetic, idempotent): what falls due now is announced, as the
task queue would; the referrals and payments of the demo announce themselves when their
apps seed them. A notification is made once per event, record and person."""

from django.utils import timezone

from himaya.notifications.checks import registered_checks
from himaya.notifications.models import Notification


def seed() -> str:
    now = timezone.now()
    created = sum(check.run(now) for check in registered_checks())
    return f"{created} notifications created, {Notification.objects.count()} in the demo"
