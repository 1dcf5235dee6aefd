"""Forms of the cases pages. Each editable record's form carries its hidden ``version``."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Governorate
from himaya.cases import rules, selectors
from himaya.cases.models import (
    ClosureReason,
    ExploitationForm,
    IdentificationChannel,
    Phase,
    RecruitmentChannel,
    RiskFactor,
    RiskLevel,
)
from himaya.core.forms import DateInput, StyledForm, VersionedForm
from himaya.survivors.models import Survivor


class CaseDetailsFields(StyledForm):
    first_contact_on = forms.DateField(label=_("Date of first contact"), widget=DateInput())
    identified_on = forms.DateField(
        label=_("Date of identification"), widget=DateInput(), required=False
    )
    identified_by = forms.ChoiceField(
        label=_("Identified through"), choices=IdentificationChannel.choices
    )
    identifying_agency = forms.ModelChoiceField(
        label=_("Identifying agency"),
        queryset=Agency.objects.filter(is_active=True).order_by("name_en"),
        required=False,
    )
    exploitation_forms = forms.ModelMultipleChoiceField(
        label=_("Forms of exploitation"),
        queryset=ExploitationForm.objects.order_by("order"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    recruitment_channel = forms.ChoiceField(
        label=_("Recruitment channel"),
        choices=RecruitmentChannel.choices,
        initial=RecruitmentChannel.UNKNOWN,
    )
    country_of_exploitation = forms.RegexField(
        label=_("Country of exploitation"),
        regex=r"^[A-Za-z]{2}$",
        initial="EG",
        max_length=2,
        help_text=_("Two-letter ISO 3166 code, EG for Egypt."),
        error_messages={"invalid": _("Enter a two-letter country code.")},
    )
    governorate_of_exploitation = forms.ModelChoiceField(
        label=_("Governorate of exploitation"),
        queryset=Governorate.objects.order_by("name_en"),
        required=False,
    )
    is_transnational = forms.BooleanField(label=_("Transnational case"), required=False)
    screening_code = forms.CharField(label=_("Screening reference"), max_length=20, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, identified = data.get("first_contact_on"), data.get("identified_on")
        if first and identified and identified < first:
            self.add_error(
                "identified_on", _("The identification date cannot be before the first contact.")
            )
        country = (data.get("country_of_exploitation") or "").upper()
        data["country_of_exploitation"] = country
        # The action enforces the rule; the form says it beside the field at once.
        if country and rules.must_be_transnational(
            country_of_exploitation=country, is_transnational=bool(data.get("is_transnational"))
        ):
            self.add_error(
                "is_transnational", _("Exploitation abroad makes the case transnational.")
            )
        return data


class OpenCaseForm(CaseDetailsFields):
    """Opens a case for a survivor the user may see, led by one of the user's agencies."""

    survivor = forms.CharField(label=_("Survivor code"), max_length=20)
    lead_agency = forms.ModelChoiceField(label=_("Lead agency"), queryset=Agency.objects.none())

    field_order = ["survivor", "lead_agency", "screening_code"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        agencies = selectors.lead_agencies_for(user)
        self.fields["lead_agency"].queryset = agencies  # type: ignore[attr-defined]
        if agencies.count() == 1:
            self.fields["lead_agency"].initial = agencies.first()

    def clean_survivor(self) -> Survivor:
        survivor = selectors.survivor_for_case(self.user, self.cleaned_data["survivor"])
        if survivor is None:
            raise forms.ValidationError(_("No survivor with this code is known to you."))
        return survivor


class CaseDetailsForm(CaseDetailsFields, VersionedForm):
    pass


class MoveForm(VersionedForm):
    to_phase = forms.ChoiceField(label=_("New phase"), choices=Phase.choices)
    on = forms.DateField(label=_("Date"), widget=DateInput(), required=False)


class ClosureForm(StyledForm):
    reason = forms.ChoiceField(
        label=_("Reason for closing"),
        choices=[("", "---------"), *ClosureReason.choices],
        error_messages={"required": _("Give the reason for closing the case.")},
    )
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(VersionedForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("return", _("Return / refuse"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReassignForm(VersionedForm):
    case_worker: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label=_("New case worker"), queryset=Agency.objects.none()
    )

    def __init__(self, *args: Any, workers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_worker"].queryset = workers  # type: ignore[attr-defined]


class RiskFields(StyledForm):
    level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    factors = forms.MultipleChoiceField(
        label=_("Risk factors"),
        choices=RiskFactor.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RiskEditForm(RiskFields, VersionedForm):
    pass


class CarePlanForm(VersionedForm):
    summary = forms.CharField(
        label=_("Summary"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class GoalForm(StyledForm):
    description = forms.CharField(label=_("Goal"), max_length=300)
    target_on = forms.DateField(label=_("Target date"), widget=DateInput(), required=False)


class GoalEditForm(GoalForm, VersionedForm):
    is_achieved = forms.BooleanField(label=_("Achieved"), required=False)
