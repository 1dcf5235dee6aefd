from django.urls import path

from himaya.fund import api, views

app_name = "fund"

urlpatterns = [
    path("", views.payment_list, name="payments"),
    path("request/", views.payment_create, name="request"),
    path("payments/<str:code>/", views.payment_detail, name="payment_detail"),
    path("payments/<str:code>/approve/", views.payment_approve, name="approve"),
    path("payments/<str:code>/reject/", views.payment_reject, name="reject"),
    path("payments/<str:code>/pay/", views.payment_pay, name="pay"),
    path("payments/<str:code>/reverse/", views.payment_reverse, name="reverse"),
    path("payments/<str:code>/documents/", views.document_upload, name="upload"),
    path(
        "payments/<str:code>/documents/<str:name>/",
        views.document_download,
        name="document",
    ),
    path("lines/", views.budget_lines, name="lines"),
    path("lines/new/", views.budget_line_create, name="line_create"),
    path("limits/", views.limits, name="limits"),
    path(
        "limits/changes/<str:code>/approve/",
        views.limit_change_approve,
        name="limit_change_approve",
    ),
    path(
        "limits/changes/<str:code>/reject/", views.limit_change_reject, name="limit_change_reject"
    ),
    path("statement/", views.statement, name="statement"),
    path("totals/", views.totals, name="totals"),
    path("cases/<str:code>/panel/", views.case_panel, name="case_panel"),
    path("api/payments/", api.PaymentListApi.as_view(), name="api_payments"),
    path("api/payments/request/", api.PaymentRequestApi.as_view(), name="api_request"),
    path("api/payments/<str:code>/", api.PaymentDetailApi.as_view(), name="api_payment"),
    path("api/payments/<str:code>/approve/", api.PaymentApproveApi.as_view(), name="api_approve"),
    path("api/payments/<str:code>/reject/", api.PaymentRejectApi.as_view(), name="api_reject"),
    path("api/payments/<str:code>/pay/", api.PaymentPayApi.as_view(), name="api_pay"),
    path("api/payments/<str:code>/reverse/", api.PaymentReverseApi.as_view(), name="api_reverse"),
    path("api/payments/<str:code>/documents/", api.DocumentUploadApi.as_view(), name="api_upload"),
    path("api/lines/", api.BudgetLineListApi.as_view(), name="api_lines"),
    path("api/statement/", api.StatementApi.as_view(), name="api_statement"),
    path("api/limits/", api.LimitListApi.as_view(), name="api_limits"),
    path("api/limits/changes/", api.LimitChangeProposeApi.as_view(), name="api_limit_propose"),
    path(
        "api/limits/changes/<str:code>/approve/",
        api.LimitChangeApproveApi.as_view(),
        name="api_limit_approve",
    ),
    path(
        "api/limits/changes/<str:code>/reject/",
        api.LimitChangeRejectApi.as_view(),
        name="api_limit_reject",
    ),
    path("api/totals/", api.TotalsApi.as_view(), name="api_totals"),
]
