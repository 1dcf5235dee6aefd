"""Demo users: one per role (and a second case worker in another agency), synthetic."""

import base64

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from himaya.accounts.models import User
from himaya.accounts.rules import needs_second_factor
from himaya.agencies import demo as agencies_demo
from himaya.agencies.actions import bootstrap_membership
from himaya.agencies.models import Agency, Role

DEMO_PASSWORD = "Himaya-Demo-2026"  # noqa: S105 - printed on purpose, demo only

# username, first name, last name, role, agency (English name)
USERS: list[tuple[str, str, str, str, str]] = [
    ("caseworker", "منى", "عبد الله", Role.CASE_WORKER, agencies_demo.CAIRO_DIRECTORATE),
    ("caseworker.alex", "كريم", "السيد", Role.CASE_WORKER, agencies_demo.ALEXANDRIA_DIRECTORATE),
    ("supervisor", "هالة", "مصطفى", Role.SUPERVISOR, agencies_demo.CAIRO_DIRECTORATE),
    ("shelter", "سارة", "إبراهيم", Role.SHELTER_STAFF, agencies_demo.CAIRO_SHELTER),
    ("fund.officer", "أحمد", "فؤاد", Role.FUND_OFFICER, agencies_demo.MINISTRY),
    ("fund.approver", "ليلى", "حسن", Role.FUND_APPROVER, agencies_demo.MINISTRY),
    ("empowerment", "نادية", "كامل", Role.EMPOWERMENT_OFFICER, agencies_demo.MINISTRY),
    ("grants", "طارق", "منصور", Role.GRANTS_OFFICER, agencies_demo.MINISTRY),
    ("police", "عمرو", "شاكر", Role.PARTNER_STAFF, "Anti-Trafficking Police Unit"),
    ("ngo", "ياسمين", "رضا", Role.PARTNER_STAFF, "Nour Association for Women's Support"),
    ("ngo.aswan", "مروة", "عثمان", Role.PARTNER_STAFF, "Upper Egypt Child Rights Association"),
    ("operator", "خالد", "ناصر", Role.OPERATOR, "National Control and Emergency Centre"),
    ("analyst", "دينا", "فاروق", Role.ANALYST, "National Coordinating Committee (NCCPIM&TIP)"),
    ("auditor", "سامح", "جلال", Role.AUDITOR, agencies_demo.MINISTRY),
    ("admin", "رامي", "عادل", Role.ADMINISTRATOR, agencies_demo.MINISTRY),
]


def seed() -> str:
    created = 0
    for username, first, last, role, agency_name in USERS:
        user, was_created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created += 1
        bootstrap_membership(user=user, agency=Agency.objects.get(name_en=agency_name), role=role)
        if needs_second_factor([role]) and not TOTPDevice.objects.filter(user=user).exists():
            TOTPDevice.objects.create(user=user, name="Himaya demo", confirmed=True)
    return f"{created} users created, {len(USERS)} in the demo"


def login_table() -> str:
    lines = ["", "Demo logins (password for all: " + DEMO_PASSWORD + ")"]
    for username, _first, _last, role, agency_name in USERS:
        line = f"  {username:<18} {Role(role).label!s:<28} {agency_name}"
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is not None:
            secret = base64.b32encode(device.bin_key).decode("ascii")
            line += f"\n  {'':<18} TOTP key: {secret}"
        lines.append(line)
    if settings.DEMO_SKIP_OTP:
        lines.append("Second factor skipped for the demo (HIMAYA_DEMO_SKIP_OTP=true in .env).")
    return "\n".join(lines)
