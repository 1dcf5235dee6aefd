from datetime import date
from typing import Any, ClassVar

from django import forms
from django.apps import apps
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import Agency, AgencyKind
from himaya.core.bounds import MAX_COUNT, MAX_INTEGER, MAX_TEXT_LENGTH
from himaya.core.forms import DateInput, StyledForm, VersionedForm
from himaya.grants.models import GrantPhase
from himaya.grants.rules import (
    MAX_TITLE_LENGTH,
    grant_bound_errors,
    parse_tranches,
    period_problem,
    schedule_errors,
)


class GrantForm(StyledForm):
    ngo = forms.ModelChoiceField(
        label=_("NGO"), queryset=Agency.objects.filter(kind=AgencyKind.NGO, is_active=True)
    )
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE_LENGTH)
    amount = forms.DecimalField(label=_("Amount (EGP)"), max_digits=14, decimal_places=2)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    phases = forms.MultipleChoiceField(
        label=_("Phases covered"),
        choices=GrantPhase.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The phases of the national referral mechanism that the grant supports."),
    )
    service_types = forms.ModelMultipleChoiceField(
        label=_("Service types committed"),
        queryset=apps.get_model("services", "ServiceType")._default_manager.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    services = forms.CharField(
        label=_("Services the NGO commits to deliver (one per line)"),
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    tranches = forms.CharField(
        label=_("Tranches (one per line: due date and amount, e.g. 2025-09-01 100000)"),
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_tranches(self) -> list[tuple[date, Any]]:
        try:
            return parse_tranches(self.cleaned_data["tranches"])
        except ValueError as exc:
            raise forms.ValidationError(
                _("Line %(number)s is not a date and an amount."), params={"number": exc.args[0]}
            ) from exc

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        needed = ("amount", "starts_on", "ends_on", "tranches", "phases")
        if all(cleaned.get(name) is not None for name in needed):
            for error in grant_bound_errors(
                title=cleaned.get("title") or "",
                services=cleaned.get("services") or "",
                starts_on=cleaned["starts_on"],
                ends_on=cleaned["ends_on"],
                tranches=cleaned["tranches"],
                today=timezone.localdate(),
            ):
                self.add_error(None, str(error))
            for error in schedule_errors(
                amount=cleaned["amount"],
                starts_on=cleaned["starts_on"],
                ends_on=cleaned["ends_on"],
                tranches=cleaned["tranches"],
                phases=cleaned["phases"],
            ):
                self.add_error("tranches", str(error))
        return cleaned


class DecisionForm(VersionedForm):
    """A change of a tranche or a report, with the version of the record read. A missing
    version is left to the action, which refuses it as a conflict (as through the API); a
    malformed one is refused here."""

    smallest_version: ClassVar[int] = 1

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        version = self.fields["version"]
        version.required = False
        version.validators = [
            MinValueValidator(self.smallest_version),
            MaxValueValidator(MAX_INTEGER),
        ]
        for code in ("min_value", "max_value"):
            version.error_messages[code] = version.error_messages["invalid"]


class ReportForm(DecisionForm):
    """The NGO's report; ``version`` is that of the report read, 0 when there was none."""

    smallest_version = 0
    narrative = forms.CharField(
        label=_("What was done in the period"), widget=forms.Textarea, max_length=MAX_TEXT_LENGTH
    )
    people_served = forms.IntegerField(
        label=_("People served"),
        min_value=0,
        max_value=MAX_COUNT,
        help_text=_("Count each person once, even if served several times."),
    )
    services_delivered = forms.IntegerField(
        label=_("Services delivered"),
        min_value=0,
        max_value=MAX_COUNT,
        help_text=_("Every service given in the period, each time it was given."),
    )


class ReviewForm(DecisionForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("return", _("Return for changes"))],
    )
    note = forms.CharField(
        label=_("Note to the NGO"),
        required=False,
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PeriodForm(StyledForm):
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("start") and cleaned.get("end"):
            problem = period_problem(cleaned["start"], cleaned["end"], today=timezone.localdate())
            if problem is not None:
                self.add_error("end", str(problem))
        return cleaned
