from django.urls import path

from himaya.survivors import api, printing, views

app_name = "survivors"

urlpatterns = [
    path("api/survivors/", api.SurvivorListApi.as_view(), name="api_list"),
    path("api/possible-duplicates/", api.PossibleDuplicateListApi.as_view(), name="api_reviews"),
    path("api/survivors/create/", api.SurvivorCreateApi.as_view(), name="api_create"),
    path("api/survivors/<str:code>/", api.SurvivorDetailApi.as_view(), name="api_detail"),
    path(
        "api/survivors/<str:code>/protection/",
        api.SurvivorProtectionApi.as_view(),
        name="api_protection",
    ),
    path(
        "api/survivors/<str:code>/consents/",
        api.ConsentListApi.as_view(),
        name="api_consents",
    ),
    path(
        "api/survivors/<str:code>/consents/create/",
        api.ConsentCreateApi.as_view(),
        name="api_consent_create",
    ),
    path(
        "api/survivors/<str:code>/consents/<int:consent_id>/withdraw/",
        api.ConsentWithdrawApi.as_view(),
        name="api_consent_withdraw",
    ),
    path(
        "api/survivors/<str:code>/guardians/",
        api.GuardianListApi.as_view(),
        name="api_guardians",
    ),
    path(
        "api/survivors/<str:code>/guardians/create/",
        api.GuardianCreateApi.as_view(),
        name="api_guardian_create",
    ),
    path(
        "api/survivors/<str:code>/guardians/<int:appointment_id>/end/",
        api.GuardianEndApi.as_view(),
        name="api_guardian_end",
    ),
    path(
        "api/survivors/<str:code>/best-interests-assessments/",
        api.BestInterestsAssessmentListApi.as_view(),
        name="api_best_interests",
    ),
    path(
        "api/survivors/<str:code>/best-interests-assessments/create/",
        api.BestInterestsAssessmentCreateApi.as_view(),
        name="api_best_interests_create",
    ),
    path(
        "api/survivors/<str:code>/best-interests-determinations/",
        api.BestInterestsDeterminationListApi.as_view(),
        name="api_determinations",
    ),
    path(
        "api/survivors/<str:code>/best-interests-determinations/create/",
        api.BestInterestsDeterminationCreateApi.as_view(),
        name="api_determination_create",
    ),
    path(
        "api/survivors/<str:code>/child-situation/",
        api.ChildSituationApi.as_view(),
        name="api_child_situation",
    ),
    path(
        "api/survivors/<str:code>/age-assessments/",
        api.AgeAssessmentListApi.as_view(),
        name="api_age_assessments",
    ),
    path(
        "api/survivors/<str:code>/age-assessments/create/",
        api.AgeAssessmentCreateApi.as_view(),
        name="api_age_assessment_create",
    ),
    path("", views.survivor_list_view, name="list"),
    path("register/", views.register_view, name="register"),
    path("possible-duplicates/", views.review_list_view, name="reviews"),
    path(
        "possible-duplicates/<int:review_id>/decide/",
        views.decide_review_view,
        name="decide_review",
    ),
    path("case/<str:code>/panel/", views.case_panel_view, name="case_panel"),
    path("<str:code>/", views.detail_view, name="detail"),
    path("<str:code>/identity/", views.reveal_view, name="reveal"),
    path("<str:code>/edit/", views.edit_view, name="edit"),
    path("<str:code>/documents/", views.add_document_view, name="add_document"),
    path("<str:code>/consents/", views.record_consent_view, name="record_consent"),
    path("<str:code>/consent-form.pdf", printing.blank_consent_pdf, name="consent_form_pdf"),
    path(
        "<str:code>/consents/<int:consent_id>/form.pdf",
        printing.consent_pdf,
        name="consent_pdf",
    ),
    path(
        "<str:code>/consents/<int:consent_id>/withdraw/",
        views.withdraw_consent_view,
        name="withdraw_consent",
    ),
    path("<str:code>/guardians/", views.appoint_guardian_view, name="appoint_guardian"),
    path(
        "<str:code>/guardians/<int:appointment_id>/end/",
        views.end_guardian_view,
        name="end_guardian",
    ),
    path("<str:code>/best-interests/", views.best_interests_view, name="best_interests"),
    path(
        "<str:code>/best-interests-determinations/",
        views.determination_view,
        name="determination",
    ),
    path("<str:code>/child-situation/", views.child_flags_view, name="child_flags"),
    path("<str:code>/age-assessments/", views.age_assessment_view, name="age_assessment"),
]
