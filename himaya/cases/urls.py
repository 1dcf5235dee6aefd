from django.urls import path

from himaya.cases import api, printing, views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("queue/", views.queue, name="queue"),
    path("approvals/", views.approvals, name="approvals"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<str:code>/", views.transfer_detail, name="transfer"),
    path("transfers/<str:code>/accept/", views.transfer_accept, name="transfer_accept"),
    path("transfers/<str:code>/refuse/", views.transfer_refuse, name="transfer_refuse"),
    path("transfers/<str:code>/withdraw/", views.transfer_withdraw, name="transfer_withdraw"),
    path("open/", views.open_case, name="open"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/edit/", views.edit, name="edit"),
    path("<str:code>/timeline/", views.timeline, name="timeline"),
    path("<str:code>/summary.pdf", printing.case_summary_pdf, name="summary_pdf"),
    path("<str:code>/print/", printing.choose_purpose, name="print_summary"),
    path("<str:code>/move/", views.move, name="move"),
    path("<str:code>/identification/", views.identify, name="identify"),
    path("<str:code>/notes/", views.add_note, name="note_add"),
    path("notes/<str:code>/revise/", views.revise_note, name="note_revise"),
    path("<str:code>/close/", views.request_closure, name="request_closure"),
    path("<str:code>/reassign/", views.reassign, name="reassign"),
    path("<str:code>/transfer/", views.transfer_propose, name="transfer_propose"),
    path("<str:code>/technology/", views.technology, name="technology"),
    path("<str:code>/technology/evidence/", views.evidence_add, name="evidence_add"),
    path("<str:code>/risk/", views.risk_new, name="risk_new"),
    path("<str:code>/care-plan/", views.care_plan_new, name="care_plan_new"),
    path("closures/<str:code>/", views.decide_closure, name="decide_closure"),
    path("risk/<str:code>/", views.risk_edit, name="risk_edit"),
    path("care-plans/<str:code>/", views.care_plan, name="care_plan"),
    path("care-plans/<str:code>/submit/", views.care_plan_submit, name="care_plan_submit"),
    path("care-plans/<str:code>/decide/", views.care_plan_decide, name="care_plan_decide"),
    path("goals/<str:code>/", views.goal_edit, name="goal_edit"),
    # API
    path("api/cases/", api.CaseListApi.as_view(), name="api_list"),
    path("api/online-platforms/", api.OnlinePlatformListApi.as_view(), name="api_platforms"),
    path("api/transfers/incoming/", api.IncomingTransferListApi.as_view(), name="api_transfers_in"),
    path("api/transfers/sent/", api.SentTransferListApi.as_view(), name="api_transfers_sent"),
    path("api/transfers/<str:code>/", api.TransferDetailApi.as_view(), name="api_transfer"),
    path(
        "api/transfers/<str:code>/accept/",
        api.TransferAcceptApi.as_view(),
        name="api_transfer_accept",
    ),
    path(
        "api/transfers/<str:code>/refuse/",
        api.TransferRefuseApi.as_view(),
        name="api_transfer_refuse",
    ),
    path(
        "api/transfers/<str:code>/withdraw/",
        api.TransferWithdrawApi.as_view(),
        name="api_transfer_withdraw",
    ),
    path("api/cases/open/", api.CaseOpenApi.as_view(), name="api_open"),
    path("api/cases/<str:code>/", api.CaseDetailApi.as_view(), name="api_detail"),
    path(
        "api/cases/<str:code>/transition/", api.CaseTransitionApi.as_view(), name="api_transition"
    ),
    path("api/cases/<str:code>/closure/", api.CaseClosureApi.as_view(), name="api_closure"),
    path(
        "api/cases/<str:code>/identification/",
        api.IdentificationListApi.as_view(),
        name="api_identification_list",
    ),
    path(
        "api/cases/<str:code>/identification/new/",
        api.IdentificationCreateApi.as_view(),
        name="api_identification_create",
    ),
    path(
        "api/cases/<str:code>/risk-assessments/",
        api.RiskAssessmentListApi.as_view(),
        name="api_risk_list",
    ),
    path(
        "api/cases/<str:code>/risk-assessments/new/",
        api.RiskAssessmentCreateApi.as_view(),
        name="api_risk_create",
    ),
    path(
        "api/cases/<str:code>/care-plans/",
        api.CarePlanListApi.as_view(),
        name="api_care_plan_list",
    ),
    path(
        "api/cases/<str:code>/care-plans/new/",
        api.CarePlanCreateApi.as_view(),
        name="api_care_plan_create",
    ),
    path(
        "api/care-plans/<str:code>/submit/",
        api.CarePlanSubmitApi.as_view(),
        name="api_care_plan_submit",
    ),
    path(
        "api/care-plans/<str:code>/decision/",
        api.CarePlanDecisionApi.as_view(),
        name="api_care_plan_decision",
    ),
    path("api/cases/<str:code>/notes/", api.CaseNoteListApi.as_view(), name="api_note_list"),
    path(
        "api/cases/<str:code>/transfer/",
        api.TransferProposeApi.as_view(),
        name="api_transfer_propose",
    ),
    path(
        "api/cases/<str:code>/technology/",
        api.CaseTechnologyApi.as_view(),
        name="api_technology",
    ),
    path(
        "api/cases/<str:code>/digital-evidence/",
        api.DigitalEvidenceListApi.as_view(),
        name="api_evidence_list",
    ),
    path(
        "api/case-notes/<str:code>/revise/",
        api.CaseNoteReviseApi.as_view(),
        name="api_note_revise",
    ),
]
