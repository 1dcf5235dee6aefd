"""Forms of the justice pages; the actions check every rule again."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.core.forms import DateInput, StyledForm, VersionedForm
from himaya.justice.actions import ChargeDetails, ProceedingDetails
from himaya.justice.models import (
    Charge,
    ChargeResult,
    Offence,
    Outcome,
    ProceedingStatus,
    ProtectionMeasure,
    SurvivorRole,
)


def money_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=False, max_digits=12, decimal_places=2, min_value=0
    )


class ProceedingForm(StyledForm):
    offences = forms.MultipleChoiceField(
        label=_("Offences"), choices=Offence.choices, widget=forms.CheckboxSelectMultiple
    )
    survivor_role = forms.ChoiceField(label=_("The survivor's role"), choices=SurvivorRole.choices)
    reported_on = forms.DateField(label=_("Reported on"), widget=DateInput())
    police_report_ref = forms.CharField(
        label=_("Police report reference"), required=False, max_length=200
    )
    prosecution_ref = forms.CharField(
        label=_("Prosecution case reference"), required=False, max_length=200
    )
    court = forms.CharField(label=_("Court"), required=False, max_length=200)
    protection_measures = forms.MultipleChoiceField(
        label=_("Protection measures granted"),
        choices=ProtectionMeasure.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    protection_other = forms.CharField(
        label=_("Other protection measure"), required=False, max_length=200
    )
    compensation_claimed = money_field(_("Compensation claimed (EGP)"))
    claimed_on = forms.DateField(label=_("Claimed on"), required=False, widget=DateInput())
    compensation_received = money_field(_("Compensation received (EGP)"))
    received_on = forms.DateField(label=_("Received on"), required=False, widget=DateInput())

    def details(self) -> ProceedingDetails:
        data = self.cleaned_data
        return ProceedingDetails(
            police_report_ref=data["police_report_ref"],
            prosecution_ref=data["prosecution_ref"],
            court=data["court"],
            offences=list(data["offences"]),
            survivor_role=data["survivor_role"],
            protection_measures=list(data["protection_measures"]),
            protection_other=data["protection_other"],
            reported_on=data["reported_on"],
            compensation_claimed=data["compensation_claimed"],
            claimed_on=data["claimed_on"],
            compensation_received=data["compensation_received"],
            received_on=data["received_on"],
        )


class ProceedingEditForm(ProceedingForm, VersionedForm):
    pass


class MoveForm(VersionedForm):
    to = forms.ChoiceField(label=_("New status"), choices=ProceedingStatus.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)


class HearingForm(StyledForm):
    held_on = forms.DateField(label=_("Date of the hearing"), widget=DateInput())
    purpose = forms.CharField(label=_("Purpose of the hearing"), max_length=200)
    court = forms.CharField(label=_("Court"), required=False, max_length=200)
    survivor_attended = forms.BooleanField(label=_("The survivor attended"), required=False)
    support_provided = forms.CharField(
        label=_("Support provided"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ChargeForm(StyledForm):
    charge = forms.ChoiceField(label=_("Charge"), choices=Charge.choices)
    charge_other = forms.CharField(label=_("Other charge"), required=False, max_length=200)
    authority = forms.CharField(label=_("Authority that brought the charge"), max_length=200)
    arising_from_trafficking = forms.BooleanField(
        label=_("The offence arises from being trafficked"), required=False
    )
    justification = forms.CharField(
        label=_("Why it arises from being trafficked"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    drop_requested_on = forms.DateField(
        label=_("Dropping the charge requested on"), required=False, widget=DateInput()
    )
    drop_requested_to = forms.CharField(
        label=_("Dropping the charge requested from"), required=False, max_length=200
    )
    result = forms.ChoiceField(label=_("Result"), choices=ChargeResult.choices)
    result_on = forms.DateField(label=_("Result on"), required=False, widget=DateInput())

    def details(self) -> ChargeDetails:
        data = self.cleaned_data
        return ChargeDetails(
            charge=data["charge"],
            charge_other=data["charge_other"],
            authority=data["authority"],
            arising_from_trafficking=bool(data["arising_from_trafficking"]),
            justification=data["justification"],
            drop_requested_on=data["drop_requested_on"],
            drop_requested_to=data["drop_requested_to"],
            result=data["result"],
            result_on=data["result_on"],
        )


class ChargeEditForm(ChargeForm, VersionedForm):
    pass
