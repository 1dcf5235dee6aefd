"""JSON API of the fund: one view per operation, scoped through the same selectors."""

from abc import abstractmethod
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.agencies.permissions import require_capability
from himaya.cases.models import Case
from himaya.core.bounds import MAX_TEXT_LENGTH
from himaya.core.locking import ConcurrentEditError
from himaya.fund import actions, selectors
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
    MAX_DOCUMENTS_PER_UPLOAD,
    MAX_LINE_AMOUNT,
    amount_problem,
    document_count_problem,
    fiscal_year_of,
    limit_problem,
    open_fiscal_year_starts,
    payment_request_problems,
    period_problem,
)


class FundPaymentOut(serializers.ModelSerializer):
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


class FundPaymentRequestIn(serializers.Serializer):
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


class FundVersionIn(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class FundReasonIn(FundVersionIn):
    reason = serializers.CharField(max_length=MAX_TEXT_LENGTH)


class FundPayIn(FundVersionIn):
    method = serializers.ChoiceField(choices=Method.choices)
    reference = serializers.CharField(max_length=100)


class FundErrorOut(serializers.Serializer):
    detail = serializers.CharField()


class FundBudgetLineOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    fiscal_year = serializers.CharField(source="fiscal_year.label")
    source_of_funds = serializers.CharField()
    allocated = serializers.DecimalField(max_digits=14, decimal_places=2)
    committed = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    available = serializers.DecimalField(max_digits=14, decimal_places=2)


class FundTotalsLineOut(serializers.Serializer):
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


ERRORS = {
    400: OpenApiResponse(FundErrorOut, description="Refused by a fund rule"),
    403: OpenApiResponse(FundErrorOut, description="Not allowed"),
    404: OpenApiResponse(FundErrorOut, description="Not found"),
}


class PaymentListApi(ListAPIView):
    serializer_class = FundPaymentOut

    def get_queryset(self) -> Any:
        require_capability(self.request.user, "fund.view_payments", "fund.view_case_payments")
        return selectors.payments_visible_to(self.request.user)

    @extend_schema(
        operation_id="fund_payments_list",
        responses={200: FundPaymentOut(many=True), 403: ERRORS[403]},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class PaymentDetailApi(APIView):
    @extend_schema(
        operation_id="fund_payment_read",
        responses={200: FundPaymentOut, 403: ERRORS[403], 404: ERRORS[404]},
    )
    def get(self, request: Request, code: str) -> Response:
        require_capability(request.user, "fund.view_payments", "fund.view_case_payments")
        return Response(FundPaymentOut(selectors.get_payment_or_404(request.user, code)).data)


class PaymentRequestApi(APIView):
    @extend_schema(
        operation_id="fund_payment_request",
        request=FundPaymentRequestIn,
        responses={201: FundPaymentOut, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        require_capability(request.user, "fund.request_payment")
        data = FundPaymentRequestIn(data=request.data)
        data.is_valid(raise_exception=True)
        case = Case.objects.filter(code=data.validated_data["case"]).first()
        line = BudgetLine.objects.filter(code=data.validated_data["budget_line"]).first()
        if case is None or line is None:
            return Response({"detail": str(_("No case or budget line has this code."))}, status=400)
        try:
            payment = actions.request_payment(
                case=case,
                budget_line=line,
                purpose=data.validated_data["purpose"],
                amount=data.validated_data["amount"],
                justification=data.validated_data["justification"],
                by=request.user,
                request=request._request,
            )
        except actions.FundError as error:
            return Response({"detail": str(error.message)}, status=400)
        return Response(FundPaymentOut(payment).data, status=status.HTTP_201_CREATED)


class _DecisionApi(APIView):
    capabilities: tuple[str, ...] = ("fund.approve_payment",)
    input_class: type[serializers.Serializer] = FundVersionIn

    @abstractmethod
    def run(self, payment: PaymentRequest, data: dict[str, Any], request: Request) -> None:
        """Carry out the decision through its action."""

    def decide(self, request: Request, code: str) -> Response:
        require_capability(request.user, *self.capabilities)
        payment = selectors.get_payment_or_404(request.user, code)
        data = self.input_class(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            self.run(payment, dict(data.validated_data), request)
        except (actions.FundError, ConcurrentEditError) as error:
            return Response({"detail": str(error.message)}, status=400)
        payment.refresh_from_db()
        return Response(FundPaymentOut(payment).data)


class FundDocumentOut(serializers.ModelSerializer):
    class Meta:
        model = SupportingDocument
        fields = ["stored_name", "content_type", "size", "sha256", "created_at"]


class FundDocumentsIn(serializers.Serializer):
    file = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), allow_empty=False
    )


class DocumentUploadApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="fund_documents_attach",
        request={"multipart/form-data": FundDocumentsIn},
        responses={201: FundDocumentOut(many=True), **ERRORS},
    )
    def post(self, request: Request, code: str) -> Response:
        """Attach one or more files (field ``file``, repeated): checked, then encrypted."""
        require_capability(request.user, "fund.request_payment", "fund.approve_payment")
        payment = selectors.get_payment_or_404(request.user, code)
        uploads = request.FILES.getlist("file")
        if len(uploads) > MAX_DOCUMENTS_PER_UPLOAD or not uploads:
            problem = document_count_problem(adding=len(uploads), already=0)
            return Response({"detail": str(problem)}, status=400)
        try:
            documents = actions.attach_documents(
                payment=payment, uploads=uploads, by=request.user, request=request._request
            )
        except actions.FundError as error:
            return Response({"detail": str(error.message)}, status=400)
        return Response(FundDocumentOut(documents, many=True).data, status=201)


class PaymentApproveApi(_DecisionApi):
    def run(self, payment: PaymentRequest, data: dict[str, Any], request: Request) -> None:
        actions.approve_payment(
            payment=payment,
            by=request.user,
            expected_version=data.get("version"),
            request=request._request,
        )

    @extend_schema(
        operation_id="fund_payment_approve",
        request=FundVersionIn,
        responses={200: FundPaymentOut, **ERRORS},
    )
    def post(self, request: Request, code: str) -> Response:
        return self.decide(request, code)


class PaymentRejectApi(_DecisionApi):
    input_class = FundReasonIn

    def run(self, payment: PaymentRequest, data: dict[str, Any], request: Request) -> None:
        actions.reject_payment(
            payment=payment,
            by=request.user,
            reason=data["reason"],
            expected_version=data.get("version"),
            request=request._request,
        )

    @extend_schema(
        operation_id="fund_payment_reject",
        request=FundReasonIn,
        responses={200: FundPaymentOut, **ERRORS},
    )
    def post(self, request: Request, code: str) -> Response:
        return self.decide(request, code)


class PaymentPayApi(_DecisionApi):
    capabilities = ("fund.request_payment", "fund.approve_payment")
    input_class = FundPayIn

    def run(self, payment: PaymentRequest, data: dict[str, Any], request: Request) -> None:
        actions.record_payment(
            payment=payment,
            by=request.user,
            method=data["method"],
            reference=data["reference"],
            expected_version=data.get("version"),
            request=request._request,
        )

    @extend_schema(
        operation_id="fund_payment_pay",
        request=FundPayIn,
        responses={200: FundPaymentOut, **ERRORS},
    )
    def post(self, request: Request, code: str) -> Response:
        return self.decide(request, code)


class PaymentReverseApi(_DecisionApi):
    input_class = FundReasonIn

    def run(self, payment: PaymentRequest, data: dict[str, Any], request: Request) -> None:
        actions.reverse_payment(
            payment=payment,
            by=request.user,
            reason=data["reason"],
            expected_version=data.get("version"),
            request=request._request,
        )

    @extend_schema(
        operation_id="fund_payment_reverse",
        request=FundReasonIn,
        responses={200: FundPaymentOut, **ERRORS},
    )
    def post(self, request: Request, code: str) -> Response:
        return self.decide(request, code)


class FundBudgetLineIn(serializers.Serializer):
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


class BudgetLineListApi(APIView):
    @extend_schema(
        operation_id="fund_lines_list",
        responses={200: FundBudgetLineOut(many=True), 403: ERRORS[403]},
    )
    def get(self, request: Request) -> Response:
        require_capability(request.user, "fund.view_payments")
        lines = selectors.budget_lines_visible_to(request.user).order_by(
            "fiscal_year__starts_on", "name_en"
        )
        return Response(FundBudgetLineOut([_line_row(line) for line in lines], many=True).data)

    @extend_schema(
        operation_id="fund_line_open",
        request=FundBudgetLineIn,
        responses={201: FundBudgetLineOut, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Open a budget line on the current or the next fiscal year, with its allocation."""
        require_capability(request.user, "fund.approve_payment")
        data = FundBudgetLineIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["source"] = values.pop("source_of_funds")
        today = timezone.localdate()
        for day in open_fiscal_year_starts(today):
            actions.open_fiscal_year(day=day)  # the current and the next fiscal year exist
        year = FiscalYear.objects.filter(label=values.pop("fiscal_year")).first()
        if year is None:
            return Response({"detail": str(_("No fiscal year has this label."))}, status=400)
        try:
            line = actions.open_budget_line(
                fiscal_year=year, by=request.user, request=request._request, **values
            )
        except actions.FundError as error:
            return Response({"detail": str(error.message)}, status=400)
        return Response(FundBudgetLineOut(_line_row(line)).data, status=201)


class TotalsApi(APIView):
    @extend_schema(
        operation_id="fund_totals", responses={200: FundTotalsLineOut(many=True), 403: ERRORS[403]}
    )
    def get(self, request: Request) -> Response:
        require_capability(request.user, "fund.view_totals")
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
            for line, b in selectors.totals(request.user)["by_line"]
        ]
        return Response(FundTotalsLineOut(rows, many=True).data)


class FundPeriodIn(serializers.Serializer):
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


class FundBalancesOut(serializers.Serializer):
    allocated = serializers.DecimalField(max_digits=14, decimal_places=2)
    committed = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    available = serializers.DecimalField(max_digits=14, decimal_places=2)


class FundMovementOut(serializers.Serializer):
    kind = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    occurred_at = serializers.DateTimeField()
    request = serializers.CharField(source="request.code", default="")


class FundStatementLineOut(serializers.Serializer):
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
        responses={200: FundStatementLineOut(many=True), 400: ERRORS[400], 403: ERRORS[403]},
    )
    def get(self, request: Request) -> Response:
        """Per budget line: opening balances, the movements of the period, closing balances."""
        require_capability(request.user, "fund.view_payments")
        period = FundPeriodIn(data=request.query_params)
        period.is_valid(raise_exception=True)
        rows = selectors.statement(
            request.user, start=period.validated_data["start"], end=period.validated_data["end"]
        )
        return Response(FundStatementLineOut(rows, many=True).data)


class FundLimitOut(serializers.ModelSerializer):
    fiscal_year = serializers.CharField(source="fiscal_year.label")

    class Meta:
        model = PaymentLimit
        fields = ["fiscal_year", "purpose", "per_request", "per_survivor_year", "version"]


class FundLimitChangeOut(serializers.ModelSerializer):
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


class FundLimitsOut(serializers.Serializer):
    limits = FundLimitOut(many=True)
    pending_changes = FundLimitChangeOut(many=True)


class FundLimitChangeIn(serializers.Serializer):
    fiscal_year = serializers.CharField(max_length=7)
    purpose = serializers.ChoiceField(choices=[("", ""), *Purpose.choices], allow_blank=True)
    per_request = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    per_survivor_year = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)

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
    @extend_schema(operation_id="fund_limits", responses={200: FundLimitsOut, 403: ERRORS[403]})
    def get(self, request: Request) -> Response:
        """The limits in force and the changes waiting for a second approver."""
        require_capability(request.user, "fund.view_payments")
        return Response(
            FundLimitsOut(
                {
                    "limits": selectors.limits_visible_to(request.user),
                    "pending_changes": selectors.pending_limit_changes_visible_to(request.user),
                }
            ).data
        )


class LimitChangeProposeApi(APIView):
    @extend_schema(
        operation_id="fund_limit_change_propose",
        request=FundLimitChangeIn,
        responses={201: FundLimitChangeOut, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Propose a limit; it applies once another fund approver approves it."""
        require_capability(request.user, "fund.approve_payment")
        data = FundLimitChangeIn(data=request.data)
        data.is_valid(raise_exception=True)
        year = FiscalYear.objects.filter(label=data.validated_data["fiscal_year"]).first()
        if year is None:
            return Response({"detail": str(_("No fiscal year has this label."))}, status=400)
        try:
            change = actions.propose_limit_change(
                fiscal_year=year,
                purpose=data.validated_data["purpose"],
                per_request=data.validated_data["per_request"],
                per_survivor_year=data.validated_data["per_survivor_year"],
                by=request.user,
                expected_version=data.validated_data.get("version"),
                request=request._request,
            )
        except (actions.FundError, ConcurrentEditError) as error:
            return Response({"detail": str(error.message)}, status=400)
        return Response(FundLimitChangeOut(change).data, status=201)


class _LimitDecisionApi(APIView):
    input_class: type[serializers.Serializer] = FundVersionIn

    @abstractmethod
    def run(self, change: LimitChange, data: dict[str, Any], request: Request) -> None:
        """Carry out the decision through its action."""

    def decide(self, request: Request, code: str) -> Response:
        require_capability(request.user, "fund.approve_payment")
        change = selectors.get_limit_change_or_404(request.user, code)
        data = self.input_class(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            self.run(change, dict(data.validated_data), request)
        except (actions.FundError, ConcurrentEditError) as error:
            return Response({"detail": str(error.message)}, status=400)
        change.refresh_from_db()
        return Response(FundLimitChangeOut(change).data)


class LimitChangeApproveApi(_LimitDecisionApi):
    def run(self, change: LimitChange, data: dict[str, Any], request: Request) -> None:
        actions.approve_limit_change(
            change=change,
            by=request.user,
            expected_version=data.get("version"),
            request=request._request,
        )

    @extend_schema(
        operation_id="fund_limit_change_approve",
        request=FundVersionIn,
        responses={200: FundLimitChangeOut, **ERRORS},
    )
    def post(self, request: Request, code: str) -> Response:
        """Apply the change: a fund approver other than the one who proposed it."""
        return self.decide(request, code)


class LimitChangeRejectApi(_LimitDecisionApi):
    input_class = FundReasonIn

    def run(self, change: LimitChange, data: dict[str, Any], request: Request) -> None:
        actions.reject_limit_change(
            change=change,
            by=request.user,
            reason=data["reason"],
            expected_version=data.get("version"),
            request=request._request,
        )

    @extend_schema(
        operation_id="fund_limit_change_reject",
        request=FundReasonIn,
        responses={200: FundLimitChangeOut, **ERRORS},
    )
    def post(self, request: Request, code: str) -> Response:
        return self.decide(request, code)
