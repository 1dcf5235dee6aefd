from typing import Any, ClassVar

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.cases.models import Case
from himaya.core.bounds import MAX_INTEGER, MAX_TEXT_LENGTH
from himaya.core.forms import DateInput, StyledForm, VersionedForm
from himaya.fund.models import BudgetLine, FiscalYear, Method, Purpose, Source
from himaya.fund.rules import (
    CENT,
    MAX_DOCUMENTS_PER_UPLOAD,
    MAX_LINE_AMOUNT,
    amount_problem,
    document_count_problem,
    limit_problem,
    line_year_problem,
    open_fiscal_year_starts,
    payment_request_problems,
    period_problem,
)


class PaymentRequestForm(StyledForm):
    case_code = forms.CharField(
        label=_("Case code"),
        max_length=20,
        help_text=_("The case's code (CS-…)."),
    )
    budget_line = forms.ModelChoiceField(
        label=_("Budget line"),
        queryset=BudgetLine.objects.select_related("fiscal_year"),
        help_text=_("The budget line the money is taken from."),
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=Purpose.choices,
        help_text=_(
            "What the money is for. A purpose may have its own limits per request and per survivor "
            "each year."
        ),
    )
    amount = forms.DecimalField(
        label=_("Amount (EGP)"), max_digits=14, decimal_places=2, min_value=CENT
    )
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea,
        max_length=MAX_TEXT_LENGTH,
        help_text=_("Why the survivor needs this payment now. An approver other than you decides."),
    )

    def clean_case_code(self) -> Case:
        code = self.cleaned_data["case_code"].strip().upper()
        case = Case.objects.filter(code=code).first()
        if case is None:
            raise forms.ValidationError(_("No case has this code."))
        return case

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "amount" in cleaned and "justification" in cleaned:
            problems = payment_request_problems(
                amount=cleaned["amount"], justification=cleaned["justification"]
            )
            for field, problem in problems.items():
                self.add_error(field, str(problem))
        return cleaned


class DecisionForm(VersionedForm):
    """A decision on money, with the version of the record read. A missing version is left
    to the action, which refuses it as a conflict (as through the API); a malformed one is
    refused here."""

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


class RejectForm(DecisionForm):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=MAX_TEXT_LENGTH
    )


class ReverseForm(RejectForm):
    pass


class PayForm(DecisionForm):
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices)
    reference = forms.CharField(
        label=_("Payment reference"),
        max_length=100,
        help_text=_(
            "The transfer or receipt number, to find the payment in the bank or cash records."
        ),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more files; the count is bounded before any file is looked at."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = list(data) if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_DOCUMENTS_PER_UPLOAD:
            raise forms.ValidationError(str(document_count_problem(adding=len(files), already=0)))
        if not files:
            return [super().clean(None, initial)]  # raises "required"
        cleaned = []
        for file in files:
            cleaned.append(super().clean(file, initial))
        return cleaned


class DocumentForm(DecisionForm):
    file = MultipleFileField(label=_("Supporting documents (PDF, PNG or JPEG, 5 MB each at most)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("At most %(count)s files at a time.") % {
            "count": MAX_DOCUMENTS_PER_UPLOAD
        }


class PeriodForm(StyledForm):
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("start") and cleaned.get("end"):
            problem = period_problem(cleaned["start"], cleaned["end"], today=timezone.localdate())
            if problem is not None:
                self.add_error(None, str(problem))
        return cleaned


class BudgetLineForm(StyledForm):
    fiscal_year = forms.ModelChoiceField(label=_("Fiscal year"), queryset=FiscalYear.objects.all())
    name_ar = forms.CharField(label=_("Name in Arabic"), max_length=200)
    name_en = forms.CharField(label=_("Name in English"), max_length=200)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    donor = forms.CharField(
        label=_("Donor"),
        max_length=200,
        required=False,
        help_text=_("Only for money given by a donor."),
    )
    amount = forms.DecimalField(
        label=_("Amount (EGP)"), max_digits=14, decimal_places=2, min_value=CENT
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()
        field = self.fields["fiscal_year"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = FiscalYear.objects.filter(
            starts_on__in=open_fiscal_year_starts(self.today)
        )

    def clean_amount(self) -> Any:
        amount = self.cleaned_data["amount"]
        problem = amount_problem(amount, maximum=MAX_LINE_AMOUNT)
        if problem is not None:
            raise forms.ValidationError(str(problem))
        return amount

    def clean_fiscal_year(self) -> FiscalYear:
        year: FiscalYear = self.cleaned_data["fiscal_year"]
        problem = line_year_problem(year.starts_on, today=self.today)
        if problem is not None:
            raise forms.ValidationError(str(problem))
        return year


class LimitForm(DecisionForm):
    """A proposed limit; ``version`` is that of the limit read, 0 when there was none."""

    smallest_version = 0
    fiscal_year = forms.ModelChoiceField(label=_("Fiscal year"), queryset=FiscalYear.objects.all())
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=[("", _("Every purpose without its own limit")), *Purpose.choices],
        required=False,
        help_text=_("Leave empty for the limit of every purpose that has none of its own."),
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

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("per_request", "per_survivor_year"):
            if cleaned.get(name) is not None:
                problem = limit_problem(cleaned[name])
                if problem is not None:
                    self.add_error(name, str(problem))
        return cleaned
