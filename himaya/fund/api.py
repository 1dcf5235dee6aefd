"""JSON API of the fund: one view per operation, scoped through the same selectors."""

from abc import ABC, abstractmethod
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.acting import acting_user
from himaya.accounts.models import User
from himaya.agencies.permissions import require_capability
from himaya.cases.models import Case
from himaya.core.api import VersionField
from himaya.core.bounds import MAX_TEXT_LENGTH
from himaya.core.errors import Invalid
from himaya.fund import actions, selectors
from himaya.fund.filters import PaymentFilter
from himaya.fund.models import (
    BudgetLine,
    FiscalYear,
    LimitChange,
    Method,
    PaymentLimit,
    PaymentRequest,
    Purpose,
    Source,
    SupportingDocument,
)
from himaya.fund.rules import (
    ATTACH,
    DECIDE,
    MANAGE,
    MAX_DOCUMENTS_PER_UPLOAD,
    MAX_LINE_AMOUNT,
    PAY,
    REQUEST,
    REVERSE,
    SEE_FUND,
    SEE_PAYMENTS,
    amount_problem,
    document_count_problem,
    fiscal_year_of,
    limit_problem,
    payment_request_problems,
    period_problem,
)


class FundPaymentOut(serializers.ModelSerializer[PaymentRequest]):
    case = serializers.CharField(source="case.code")
    budget_line = serializers.CharField(source="budget_line.code")
    fiscal_year = serializers.CharField(source="budget_line.fiscal_year.label")

    class Meta:
        model = PaymentRequest
        fields = [
            "code",
            "case",
            "budget_line",
            "fiscal_year",
            "purpose",
            "amount",
            "status",
            "justification",
            "method",
            "reference",
            "approved_at",
            "paid_at",
            "version",
            "created_at",
        ]


class FundPaymentRequestIn(serializers.Serializer[Any]):
    case = serializers.CharField(max_length=20)
    budget_line = serializers.CharField(max_length=20)
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    justification = serializers.CharField(max_length=MAX_TEXT_LENGTH)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        problems = payment_request_problems(
            amount=attrs["amount"], justification=attrs["justification"]
        )
        if problems:
            raise serializers.ValidationError({k: [str(v)] for k, v in problems.items()})
        return attrs


class FundVersionIn(serializers.Serializer[Any]):
    """The version of the record read. Without it the change is refused as a conflict
    (409): money never moves on a version nobody read."""

    version = VersionField(required=False)


class FundReasonIn(FundVersionIn):
    reason = serializers.CharField(max_length=MAX_TEXT_LENGTH)


class FundPayIn(FundVersionIn):
    method = serializers.ChoiceField(choices=Method.choices)
    reference = serializers.CharField(max_length=100)


class FundBudgetLineOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    fiscal_year = serializers.CharField(source="fiscal_year.label")
    source_of_funds = serializers.CharField()
    allocated = serializers.DecimalField(max_digits=14, decimal_places=2)
    committed = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    available = serializers.DecimalField(max_digits=14, decimal_places=2)


class FundTotalsLineOut(serializers.Serializer[Any]):
    fiscal_year = serializers.CharField()
    name = serializers.CharField()
    source_of_funds = serializers.CharField()
    allocated = serializers.DecimalField(max_digits=14, decimal_places=2)
    committed = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    available = serializers.DecimalField(max_digits=14, decimal_places=2)


def _line_row(line: BudgetLine) -> dict[str, Any]:
    balances = selectors.balances_of(line)
    return {
        "code": line.code,
        "name": line.name,
        "fiscal_year": line.fiscal_year,
        "source_of_funds": line.source,
        "allocated": balances.allocated,
        "committed": balances.committed,
        "paid": balances.paid,
        "available": balances.available,
    }


def _valid(serializer: serializers.Serializer[Any]) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class PaymentListApi(ListAPIView[PaymentRequest]):
    serializer_class = FundPaymentOut
    filter_backends = [DjangoFilterBackend]
    filterset_class = PaymentFilter

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no user
            return PaymentRequest.objects.none()
        user = acting_user(self.request)
        require_capability(user, *SEE_PAYMENTS)
        return selectors.payments_visible_to(user)

    @extend_schema(operation_id="fund_payments_list", responses={200: FundPaymentOut(many=True)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class PaymentDetailApi(APIView):
    @extend_schema(operation_id="fund_payment_read", responses={200: FundPaymentOut})
    def get(self, request: Request, code: str) -> Response:
        user = acting_user(request)
        require_capability(user, *SEE_PAYMENTS)
        return Response(FundPaymentOut(selectors.get_payment_or_404(user, code)).data)


class PaymentRequestApi(APIView):
    @extend_schema(
        operation_id="fund_payment_request",
        request=FundPaymentRequestIn,
        responses={201: FundPaymentOut},
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        require_capability(user, *REQUEST)
        data = _valid(FundPaymentRequestIn(data=request.data))
        case = Case.objects.filter(code=data["case"]).first()
        if case is None:
            raise Invalid(_("No case has this code."), field="case")
        line = BudgetLine.objects.filter(code=data["budget_line"]).first()
        if line is None:
            raise Invalid(_("No budget line has this code."), field="budget_line")
        payment = actions.request_payment(
            case=case,
            budget_line=line,
            purpose=data["purpose"],
            amount=data["amount"],
            justification=data["justification"],
            by=user,
        )
        return Response(FundPaymentOut(payment).data, status=status.HTTP_201_CREATED)


class _DecisionApi(APIView, ABC):
    """A decision on a payment request; the answer is the request as it now is. Each
    decision names the action it runs in ``run``."""

    capabilities: tuple[str, ...] = DECIDE
    input_class: type[FundVersionIn] = FundVersionIn

    @abstractmethod
    def run(self, payment: PaymentRequest, user: User, data: dict[str, Any]) -> None: ...

    def decide(self, request: Request, code: str) -> Response:
        user = acting_user(request)
        require_capability(user, *self.capabilities)
        payment = selectors.get_payment_or_404(user, code)
        self.run(payment, user, _valid(self.input_class(data=request.data)))
        return Response(FundPaymentOut(selectors.payment_as_it_now_is(payment)).data)


class PaymentApproveApi(_DecisionApi):
    def run(self, payment: PaymentRequest, user: User, data: dict[str, Any]) -> None:
        actions.approve_payment(payment=payment, by=user, expected_version=data.get("version"))

    @extend_schema(
        operation_id="fund_payment_approve",
        request=FundVersionIn,
        responses={200: FundPaymentOut},
    )
    def post(self, request: Request, code: str) -> Response:
        return self.decide(request, code)


class PaymentRejectApi(_DecisionApi):
    input_class = FundReasonIn

    def run(self, payment: PaymentRequest, user: User, data: dict[str, Any]) -> None:
        actions.reject_payment(
            payment=payment, by=user, reason=data["reason"], expected_version=data.get("version")
        )

    @extend_schema(
        operation_id="fund_payment_reject", request=FundReasonIn, responses={200: FundPaymentOut}
    )
    def post(self, request: Request, code: str) -> Response:
        return self.decide(request, code)


class PaymentPayApi(_DecisionApi):
    capabilities = PAY
    input_class = FundPayIn

    def run(self, payment: PaymentRequest, user: User, data: dict[str, Any]) -> None:
        actions.record_payment(
            payment=payment,
            by=user,
            method=data["method"],
            reference=data["reference"],
            expected_version=data.get("version"),
        )

    @extend_schema(
        operation_id="fund_payment_pay", request=FundPayIn, responses={200: FundPaymentOut}
    )
    def post(self, request: Request, code: str) -> Response:
        return self.decide(request, code)


class PaymentReverseApi(_DecisionApi):
    capabilities = REVERSE
    input_class = FundReasonIn

    def run(self, payment: PaymentRequest, user: User, data: dict[str, Any]) -> None:
        actions.reverse_payment(
            payment=payment, by=user, reason=data["reason"], expected_version=data.get("version")
        )

    @extend_schema(
        operation_id="fund_payment_reverse", request=FundReasonIn, responses={200: FundPaymentOut}
    )
    def post(self, request: Request, code: str) -> Response:
        return self.decide(request, code)


class FundDocumentOut(serializers.ModelSerializer[SupportingDocument]):
    class Meta:
        model = SupportingDocument
        fields = ["stored_name", "content_type", "size", "sha256", "created_at"]


class FundDocumentsIn(FundVersionIn):
    file = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), allow_empty=False
    )


class DocumentUploadApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="fund_documents_attach",
        request={"multipart/form-data": FundDocumentsIn},
        responses={201: FundDocumentOut(many=True)},
    )
    def post(self, request: Request, code: str) -> Response:
        """Attach one or more files (field ``file``, repeated) with the ``version`` of the
        request read: checked, then encrypted."""
        user = acting_user(request)
        require_capability(user, *ATTACH)
        payment = selectors.get_payment_or_404(user, code)
        uploads = request.FILES.getlist("file")
        if len(uploads) > MAX_DOCUMENTS_PER_UPLOAD or not uploads:
            problem = document_count_problem(adding=len(uploads), already=0)
            raise Invalid(problem or _("Choose a file to attach."), field="file")
        data = _valid(FundVersionIn(data=request.data))
        documents = actions.attach_documents(
            payment=payment, uploads=uploads, by=user, expected_version=data.get("version")
        )
        return Response(FundDocumentOut(documents, many=True).data, status=201)


class FundBudgetLineIn(serializers.Serializer[Any]):
    fiscal_year = serializers.CharField(max_length=7)
    name_ar = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200)
    source_of_funds = serializers.ChoiceField(choices=Source.choices)
    donor = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)

    def validate_amount(self, value: Decimal) -> Decimal:
        problem = amount_problem(value, maximum=MAX_LINE_AMOUNT)
        if problem is not None:
            raise serializers.ValidationError(str(problem))
        return value


def _fiscal_year(label: str) -> FiscalYear:
    year: FiscalYear | None = FiscalYear.objects.filter(label=label).first()
    if year is None:
        raise Invalid(_("No fiscal year has this label."), field="fiscal_year")
    return year


class BudgetLineListApi(APIView):
    @extend_schema(operation_id="fund_lines_list", responses={200: FundBudgetLineOut(many=True)})
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        require_capability(user, *SEE_FUND)
        lines = selectors.budget_lines_visible_to(user).order_by(
            "fiscal_year__starts_on", "name_en"
        )
        return Response(FundBudgetLineOut([_line_row(line) for line in lines], many=True).data)

    @extend_schema(
        operation_id="fund_line_open", request=FundBudgetLineIn, responses={201: FundBudgetLineOut}
    )
    def post(self, request: Request) -> Response:
        """Open a budget line, with its allocation, on the current or the next fiscal year
        (both are opened every day by ``manage.py open_fiscal_years``)."""
        user = acting_user(request)
        require_capability(user, *MANAGE)
        data = _valid(FundBudgetLineIn(data=request.data))
        line = actions.open_budget_line(
            fiscal_year=_fiscal_year(data["fiscal_year"]),
            name_ar=data["name_ar"],
            name_en=data["name_en"],
            source=data["source_of_funds"],
            donor=data["donor"],
            amount=data["amount"],
            by=user,
        )
        return Response(FundBudgetLineOut(_line_row(line)).data, status=201)


class TotalsApi(APIView):
    @extend_schema(operation_id="fund_totals", responses={200: FundTotalsLineOut(many=True)})
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        require_capability(user, "fund.view_totals")
        rows = [
            {
                "fiscal_year": line.fiscal_year.label,
                "name": line.name,
                "source_of_funds": line.source,
                "allocated": b.allocated,
                "committed": b.committed,
                "paid": b.paid,
                "available": b.available,
            }
            for line, b in selectors.totals(user)["by_line"]
        ]
        return Response(FundTotalsLineOut(rows, many=True).data)


class FundPeriodIn(serializers.Serializer[Any]):
    """A period; without both dates, the current fiscal year (as on the page)."""

    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        today = timezone.localdate()
        if "start" not in attrs and "end" not in attrs:
            attrs["start"], attrs["end"], _label = fiscal_year_of(today)
        elif "start" not in attrs or "end" not in attrs:
            raise serializers.ValidationError(str(_("Give both the start and the end.")))
        problem = period_problem(attrs["start"], attrs["end"], today=today)
        if problem is not None:
            raise serializers.ValidationError(str(problem))
        return attrs


class FundBalancesOut(serializers.Serializer[Any]):
    allocated = serializers.DecimalField(max_digits=14, decimal_places=2)
    committed = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    available = serializers.DecimalField(max_digits=14, decimal_places=2)


class FundMovementOut(serializers.Serializer[Any]):
    kind = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    occurred_at = serializers.DateTimeField()
    request = serializers.CharField(source="request.code", default="")


class FundStatementLineOut(serializers.Serializer[Any]):
    code = serializers.CharField(source="line.code")
    name = serializers.CharField(source="line.name")
    fiscal_year = serializers.CharField(source="line.fiscal_year.label")
    opening = FundBalancesOut()
    movements = FundMovementOut(many=True)
    closing = FundBalancesOut()


class StatementApi(APIView):
    @extend_schema(
        operation_id="fund_statement",
        parameters=[
            OpenApiParameter("start", str, description="YYYY-MM-DD (default: the fiscal year)"),
            OpenApiParameter("end", str, description="YYYY-MM-DD (default: the fiscal year)"),
        ],
        responses={200: FundStatementLineOut(many=True)},
    )
    def get(self, request: Request) -> Response:
        """Per budget line: opening balances, the movements of the period, closing balances."""
        user = acting_user(request)
        require_capability(user, *SEE_FUND)
        period = _valid(FundPeriodIn(data=request.query_params))
        rows = selectors.statement(user, start=period["start"], end=period["end"])
        return Response(FundStatementLineOut(rows, many=True).data)


class FundLimitOut(serializers.ModelSerializer[PaymentLimit]):
    fiscal_year = serializers.CharField(source="fiscal_year.label")

    class Meta:
        model = PaymentLimit
        fields = ["fiscal_year", "purpose", "per_request", "per_survivor_year", "version"]


class FundLimitChangeOut(serializers.ModelSerializer[LimitChange]):
    fiscal_year = serializers.CharField(source="fiscal_year.label")
    proposed_by = serializers.CharField(source="proposed_by.username")

    class Meta:
        model = LimitChange
        fields = [
            "code",
            "fiscal_year",
            "purpose",
            "per_request",
            "per_survivor_year",
            "status",
            "proposed_by",
            "created_at",
            "decided_at",
            "version",
        ]


class FundLimitsOut(serializers.Serializer[Any]):
    limits = FundLimitOut(many=True)
    pending_changes = FundLimitChangeOut(many=True)


class FundLimitChangeIn(serializers.Serializer[Any]):
    fiscal_year = serializers.CharField(max_length=7)
    purpose = serializers.ChoiceField(choices=[("", ""), *Purpose.choices], allow_blank=True)
    per_request = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    per_survivor_year = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    # The version of the limit read; 0 when there was no limit for the year and purpose.
    version = VersionField(required=False, min_value=0)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors = {}
        for name in ("per_request", "per_survivor_year"):
            problem = limit_problem(attrs[name])
            if problem is not None:
                errors[name] = [str(problem)]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class LimitListApi(APIView):
    @extend_schema(operation_id="fund_limits", responses={200: FundLimitsOut})
    def get(self, request: Request) -> Response:
        """The limits in force and the changes waiting for a second approver."""
        user = acting_user(request)
        require_capability(user, *SEE_FUND)
        return Response(
            FundLimitsOut(
                {
                    "limits": selectors.limits_visible_to(user),
                    "pending_changes": selectors.pending_limit_changes_visible_to(user),
                }
            ).data
        )


class LimitChangeProposeApi(APIView):
    @extend_schema(
        operation_id="fund_limit_change_propose",
        request=FundLimitChangeIn,
        responses={201: FundLimitChangeOut},
    )
    def post(self, request: Request) -> Response:
        """Propose a limit, with the ``version`` of the limit read (0: there was none); it
        applies once another fund approver approves it."""
        user = acting_user(request)
        require_capability(user, *MANAGE)
        data = _valid(FundLimitChangeIn(data=request.data))
        change = actions.propose_limit_change(
            fiscal_year=_fiscal_year(data["fiscal_year"]),
            purpose=data["purpose"],
            per_request=data["per_request"],
            per_survivor_year=data["per_survivor_year"],
            by=user,
            expected_version=data.get("version"),
        )
        return Response(FundLimitChangeOut(change).data, status=201)


class _LimitDecisionApi(APIView, ABC):
    """A decision on a proposed limit change; the answer is the change as it now is."""

    input_class: type[FundVersionIn] = FundVersionIn

    @abstractmethod
    def run(self, change: LimitChange, user: User, data: dict[str, Any]) -> None: ...

    def decide(self, request: Request, code: str) -> Response:
        user = acting_user(request)
        require_capability(user, *MANAGE)
        change = selectors.get_limit_change_or_404(user, code)
        self.run(change, user, _valid(self.input_class(data=request.data)))
        change.refresh_from_db()
        return Response(FundLimitChangeOut(change).data)


class LimitChangeApproveApi(_LimitDecisionApi):
    def run(self, change: LimitChange, user: User, data: dict[str, Any]) -> None:
        actions.approve_limit_change(change=change, by=user, expected_version=data.get("version"))

    @extend_schema(
        operation_id="fund_limit_change_approve",
        request=FundVersionIn,
        responses={200: FundLimitChangeOut},
    )
    def post(self, request: Request, code: str) -> Response:
        """Apply the change: a fund approver other than the one who proposed it."""
        return self.decide(request, code)


class LimitChangeRejectApi(_LimitDecisionApi):
    input_class = FundReasonIn

    def run(self, change: LimitChange, user: User, data: dict[str, Any]) -> None:
        actions.reject_limit_change(
            change=change, by=user, reason=data["reason"], expected_version=data.get("version")
        )

    @extend_schema(
        operation_id="fund_limit_change_reject",
        request=FundReasonIn,
        responses={200: FundLimitChangeOut},
    )
    def post(self, request: Request, code: str) -> Response:
        return self.decide(request, code)
