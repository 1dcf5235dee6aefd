"""Demo of the fund: the current and the next fiscal year, budget lines, limits, and payment
requests in every state for the first demo cases (synthetic, idempotent)."""

from decimal import Decimal

from django.utils import timezone

from himaya.accounts.models import User
from himaya.cases.models import Case
from himaya.fund import actions
from himaya.fund.models import BudgetLine, Method, PaymentLimit, PaymentRequest, Purpose, Source

LINES = [
    # fiscal year (0: the current one, 1: the next), English name, Arabic name, source, donor,
    # amount. Budget lines are opened only on the current or the next fiscal year.
    (
        0,
        "Victims' assistance, State allocation",
        "مساعدات الضحايا - اعتماد الدولة",
        Source.GOVERNMENT,
        "",
        Decimal("2000000.00"),
    ),
    (
        0,
        "Repatriation and reintegration, donor contribution",
        "العودة وإعادة الإدماج - مساهمة المانحين",
        Source.DONOR,
        "جهة مانحة شريكة (بيانات تجريبية)",
        Decimal("500000.00"),
    ),
    (
        1,
        "Victims' assistance, State allocation",
        "مساعدات الضحايا - اعتماد الدولة",
        Source.GOVERNMENT,
        "",
        Decimal("2500000.00"),
    ),
]

LIMITS = {
    Purpose.EMERGENCY_CASH: Decimal("5000.00"),
    Purpose.MEDICAL: Decimal("20000.00"),
    Purpose.LEGAL: Decimal("15000.00"),
    Purpose.REPATRIATION: Decimal("25000.00"),
    Purpose.EDUCATION: Decimal("10000.00"),
    Purpose.START_UP: Decimal("30000.00"),
}
PER_SURVIVOR_YEAR = Decimal("60000.00")
ROUNDS = 3  # the six states below, three times over, for the first 18 open demo cases

# purpose, amount, justification, the state to bring it to
REQUESTS = [
    (
        Purpose.EMERGENCY_CASH,
        Decimal("3000.00"),
        "احتياجات عاجلة من غذاء وملابس بعد الخروج من الدار",
        "paid",
    ),
    (
        Purpose.MEDICAL,
        Decimal("12500.00"),
        "علاج أسنان وفحوص طبية موصى بها من المستشفى",
        "approved",
    ),
    (Purpose.LEGAL, Decimal("8000.00"), "أتعاب محامٍ لمتابعة الدعوى الجنائية", "requested"),
    (
        Purpose.REPATRIATION,
        Decimal("32000.00"),
        "تذكرة سفر وإجراءات العودة الطوعية",
        "second_approval_needed",
    ),
    (Purpose.EDUCATION, Decimal("4000.00"), "رسوم دورة تدريبية مكررة في نفس الفصل", "rejected"),
    (Purpose.START_UP, Decimal("15000.00"), "معدات مشروع خياطة صغير", "reversed"),
]


def seed() -> str:
    officer = User.objects.filter(username="fund.officer").first()
    approver = User.objects.filter(username="fund.approver").first()
    if officer is None or approver is None:
        return "fund users missing: run the accounts demo first"
    years = dict(enumerate(actions.open_fiscal_years(today=timezone.localdate())))
    made_lines = made_requests = 0
    lines: dict[int, BudgetLine] = {}
    for start, name_en, name_ar, source, donor, amount in LINES:
        line = BudgetLine.objects.filter(fiscal_year=years[start], name_en=name_en).first()
        if line is None:
            line = actions.open_budget_line(
                fiscal_year=years[start],
                name_ar=name_ar,
                name_en=name_en,
                source=source,
                donor=donor,
                amount=amount,
                by=approver,
            )
            made_lines += 1
        lines.setdefault(start, line)
    # The demo's starting limits are reference data, set directly; every later change goes
    # through a proposal and a second approver (``actions.propose_limit_change``).
    for year in years.values():
        for purpose, per_request in LIMITS.items():
            PaymentLimit.objects.get_or_create(
                fiscal_year=year, purpose=purpose, defaults={"per_request": per_request}
            )
        PaymentLimit.objects.get_or_create(
            fiscal_year=year, purpose="", defaults={"per_survivor_year": PER_SURVIVOR_YEAR}
        )
    cases = list(Case.objects.exclude(phase="closed").order_by("id")[: ROUNDS * len(REQUESTS)])
    line = lines[0]
    for index, case in enumerate(cases):
        purpose, base, justification, state = REQUESTS[index % len(REQUESTS)]
        amount = base + Decimal(250) * (index // len(REQUESTS))
        if PaymentRequest.objects.filter(case=case, purpose=purpose, amount=amount).exists():
            continue
        payment = actions.request_payment(
            case=case,
            budget_line=line,
            purpose=purpose,
            amount=amount,
            justification=justification,
            by=officer,
        )
        made_requests += 1
        if state == "rejected":
            actions.reject_payment(
                payment=payment,
                by=approver,
                reason="طلب مكرر لنفس الدورة",
                expected_version=payment.version,
            )
        if state in {"approved", "second_approval_needed", "paid", "reversed"}:
            payment = actions.approve_payment(
                payment=payment, by=approver, expected_version=payment.version
            )
        if state in {"paid", "reversed"}:
            payment = actions.record_payment(
                payment=payment,
                by=officer,
                method=Method.BANK_TRANSFER,
                reference=f"TRF-{payment.code[-6:]}",
                expected_version=payment.version,
            )
        if state == "reversed":
            actions.reverse_payment(
                payment=payment,
                by=approver,
                reason="تحويل إلى حساب غير صحيح، يعاد الصرف",
                expected_version=payment.version,
            )
    return (
        f"{made_lines} budget lines and {made_requests} payment requests created "
        f"({len(cases)} demo cases used)"
    )
