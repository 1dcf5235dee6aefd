from datetime import date
from typing import Any

from django import forms
from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import Agency, AgencyKind
from himaya.core.bounds import MAX_COUNT, MAX_INTEGER, MAX_TEXT_LENGTH
from himaya.grants.models import GrantPhase
from himaya.grants.rules import (
    MAX_TITLE_LENGTH,
    grant_bound_errors,
    parse_tranches,
    period_problem,
    schedule_errors,
)

DATE = forms.DateInput(attrs={"type": "date"})


class BootstrapForm(forms.Form):
    """Gives every widget its Bootstrap class."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput | forms.CheckboxSelectMultiple):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = css


class GrantForm(BootstrapForm):
    ngo = forms.ModelChoiceField(
        label=_("NGO"), queryset=Agency.objects.filter(kind=AgencyKind.NGO, is_active=True)
    )
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE_LENGTH)
    amount = forms.DecimalField(label=_("Amount (EGP)"), max_digits=14, decimal_places=2)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    phases = forms.MultipleChoiceField(
        label=_("Phases covered"),
        choices=GrantPhase.choices,
        widget=forms.CheckboxSelectMultiple,
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


class VersionForm(BootstrapForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_INTEGER)


class ReportForm(BootstrapForm):
    version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=MAX_INTEGER
    )
    narrative = forms.CharField(
        label=_("What was done in the period"), widget=forms.Textarea, max_length=MAX_TEXT_LENGTH
    )
    people_served = forms.IntegerField(label=_("People served"), min_value=0, max_value=MAX_COUNT)
    services_delivered = forms.IntegerField(
        label=_("Services delivered"), min_value=0, max_value=MAX_COUNT
    )


class ReviewForm(BootstrapForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_INTEGER)
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


class PeriodForm(BootstrapForm):
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("To"), widget=DATE)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("start") and cleaned.get("end"):
            problem = period_problem(cleaned["start"], cleaned["end"], today=timezone.localdate())
            if problem is not None:
                self.add_error("end", str(problem))
        return cleaned
