"""Forms of the returns pages."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from himaya.agencies.models import Governorate
from himaya.cases.models import RiskLevel
from himaya.core.countries import CountryChoiceField
from himaya.core.forms import DateInput, StyledForm, VersionedForm
from himaya.returns.models import AssessmentPlace, FollowUpMethod, FollowUpOutcome

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class GrantReflectionForm(StyledForm):
    starts_on = forms.DateField(label=_("Period starts on"), widget=DateInput())


class ExtendReflectionForm(VersionedForm):
    days = forms.IntegerField(label=_("Days to add"), min_value=1, max_value=365)
    reason = forms.CharField(
        label=_("Reason for the extension"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DestinationForm(StyledForm):
    destination_country = CountryChoiceField(
        label=_("Country of return"),
        blank="—",
        stateless=False,
        required=False,
        help_text=_("For a return abroad."),
    )
    destination_governorate = forms.ModelChoiceField(
        label=_("Governorate of return"),
        queryset=Governorate.objects.order_by("name_en"),
        required=False,
        help_text=_("For a return to a governorate of origin in Egypt."),
    )


class ReturnPlanForm(VersionedForm, DestinationForm):
    receiving_organisation = forms.CharField(
        label=_("Receiving organisation"), max_length=200, required=False
    )
    receiving_country = CountryChoiceField(
        label=_("Country of the organisation"), blank="—", stateless=False, required=False
    )
    receiving_contact = forms.CharField(
        label=_("Contact at the organisation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Stored encrypted, like the survivor's identity."),
    )
    travel_planned_on = forms.DateField(
        label=_("Planned travel date"), widget=DateInput(), required=False
    )
    travel_documents_ready = forms.BooleanField(label=_("Travel documents ready"), required=False)
    escorted = forms.BooleanField(label=_("Escorted during travel"), required=False)


class ChoiceForm(VersionedForm):
    recorded_on = forms.DateField(label=_("Choice recorded on"), widget=DateInput())
    options_explained = forms.CharField(
        label=_("Options explained to the survivor"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Return, staying in Egypt, resettlement: what was explained, in which language."
        ),
    )
    chose_return = forms.TypedChoiceField(
        label=_("The survivor chose to return"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class RiskForm(StyledForm):
    place = forms.ChoiceField(label=_("Where"), choices=AssessmentPlace.choices)
    level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DateInput())
    factors = forms.CharField(
        label=_("Risk factors"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DateStepForm(VersionedForm):
    """Departure or arrival: one date."""

    day = forms.DateField(label=_("Date"), widget=DateInput())

    def __init__(self, *args: Any, label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["day"].label = label


class CancelForm(VersionedForm):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=500)


class FollowUpForm(VersionedForm):
    done_on = forms.DateField(label=_("Contact made on"), widget=DateInput())
    method = forms.ChoiceField(
        label=pgettext_lazy("contact after return", "Method"), choices=FollowUpMethod.choices
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FollowUpOutcome.choices)
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
