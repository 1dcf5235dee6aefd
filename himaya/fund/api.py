"""JSON API of the fund: one view per operation, scoped through the same selectors."""

from abc import abstractmethod
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.agencies.permissions import require_capability
from himaya.cases.models import Case
from himaya.core.locking import ConcurrentEditError
from himaya.fund import actions, selectors
from himaya.fund.models import BudgetLine, Method, PaymentRequest, Purpose


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
    justification = serializers.CharField()


class FundVersionIn(serializers.Serializer):
    version = serializers.IntegerField(required=False)


class FundReasonIn(FundVersionIn):
    reason = serializers.CharField()


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
