from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.cases.models import Case
from himaya.fund.models import BudgetLine, FiscalYear, Method, Purpose, Source
from himaya.fund.rules import CENT, fiscal_year_of


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


class PaymentRequestForm(BootstrapForm):
    case_code = forms.CharField(label=_("Case code"), max_length=20)
    budget_line = forms.ModelChoiceField(
        label=_("Budget line"), queryset=BudgetLine.objects.select_related("fiscal_year")
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    amount = forms.DecimalField(
        label=_("Amount (EGP)"), max_digits=14, decimal_places=2, min_value=CENT
    )
    justification = forms.CharField(label=_("Justification"), widget=forms.Textarea)

    def clean_case_code(self) -> Case:
        code = self.cleaned_data["case_code"].strip().upper()
        case = Case.objects.filter(code=code).first()
        if case is None:
            raise forms.ValidationError(_("No case has this code."))
        return case


class VersionForm(BootstrapForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class RejectForm(VersionForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ReverseForm(RejectForm):
    pass


class PayForm(VersionForm):
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices)
    reference = forms.CharField(label=_("Payment reference"), max_length=100)


class DocumentForm(BootstrapForm):
    file = forms.FileField(label=_("Supporting document (PDF, PNG or JPEG, 5 MB at most)"))


class PeriodForm(BootstrapForm):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    @classmethod
    def for_today(cls, data: Any, today: date) -> "PeriodForm":
        start, end, _label = fiscal_year_of(today)
        return cls(data if data.get("start") else {"start": start, "end": end})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", _("The end comes before the start."))
        return cleaned


class BudgetLineForm(BootstrapForm):
    fiscal_year = forms.ModelChoiceField(label=_("Fiscal year"), queryset=FiscalYear.objects.all())
    name_ar = forms.CharField(label=_("Name in Arabic"), max_length=200)
    name_en = forms.CharField(label=_("Name in English"), max_length=200)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    donor = forms.CharField(label=_("Donor"), max_length=200, required=False)
    amount = forms.DecimalField(
        label=_("Amount (EGP)"), max_digits=14, decimal_places=2, min_value=CENT
    )


class LimitForm(BootstrapForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    fiscal_year = forms.ModelChoiceField(label=_("Fiscal year"), queryset=FiscalYear.objects.all())
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=[("", _("Every purpose without its own limit")), *Purpose.choices],
        required=False,
    )
    per_request = forms.DecimalField(
        label=_("Per request (EGP)"),
        max_digits=14,
        decimal_places=2,
        required=False,
        min_value=CENT,
    )
    per_survivor_year = forms.DecimalField(
        label=_("Per survivor per fiscal year (EGP)"),
        max_digits=14,
        decimal_places=2,
        required=False,
        min_value=CENT,
    )
