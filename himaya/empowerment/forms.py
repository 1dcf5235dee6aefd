from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import Governorate
from himaya.core.bounds import MAX_INTEGER, MAX_TEXT_LENGTH
from himaya.core.forms import DateInput, StyledForm
from himaya.core.forms import VersionedForm as CoreVersionedForm
from himaya.empowerment.models import (
    ActivityType,
    EnrolmentStatus,
    HouseholdRole,
    Programme,
    ProjectStatus,
)
from himaya.empowerment.selectors import programmes_open_for_referral


def money_field(label: Any, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, max_digits=12, decimal_places=2, min_value=0
    )


class VersionedForm(CoreVersionedForm):
    """The core versioned form, with a version no larger than the database holds."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].validators.append(MaxValueValidator(MAX_INTEGER))


class ReferForm(StyledForm):
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), empty_label=None
    )
    household_role = forms.ChoiceField(label=_("Household role"), choices=HouseholdRole.choices)
    note = forms.CharField(
        label=_("Note for the programme's officer"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes_open_for_referral()  # type: ignore[attr-defined]


class DecisionForm(VersionedForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept into the programme")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason for declining"),
        max_length=500,
        required=False,
        widget=forms.TextInput,
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("decision") == "decline" and not str(data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for declining."))
        return data


class MoveForm(VersionedForm):
    to = forms.ChoiceField(
        label=_("New status"),
        choices=[
            (EnrolmentStatus.ACTIVE.value, EnrolmentStatus.ACTIVE.label),
            (EnrolmentStatus.COMPLETED.value, EnrolmentStatus.COMPLETED.label),
            (EnrolmentStatus.DROPPED_OUT.value, EnrolmentStatus.DROPPED_OUT.label),
        ],
    )


class ProjectForm(StyledForm):
    activity_type = forms.ChoiceField(label=_("Type of activity"), choices=ActivityType.choices)
    started_on = forms.DateField(label=_("Start date"), widget=DateInput())
    amount = money_field(_("Loan or grant amount (EGP)"), required=False)
    amount.help_text = _("Leave empty when no money was given.")
    governorate = forms.ModelChoiceField(
        label=_("Governorate"), queryset=Governorate.objects.order_by("name_en")
    )
    baseline_income = money_field(_("Monthly income before the project (EGP)"))
    baseline_income.help_text = _(
        "The person's own income a month before the project, to measure the change."
    )


class VisitForm(VersionedForm):
    done_on = forms.DateField(label=_("Date of the visit"), widget=DateInput())
    project_status = forms.ChoiceField(
        label=_("The project is"), choices=ProjectStatus.choices, widget=forms.RadioSelect
    )
    monthly_income = money_field(_("Monthly income (EGP)"), required=False)
    monthly_income.help_text = _("The income now, to compare with the income before the project.")
    problems = forms.CharField(
        label=_("Problems"),
        max_length=MAX_TEXT_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    support_given = forms.CharField(
        label=_("Support given"),
        max_length=MAX_TEXT_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RescheduleForm(VersionedForm):
    due_on = forms.DateField(label=_("New due date"), widget=DateInput())
