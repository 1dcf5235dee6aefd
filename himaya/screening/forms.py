import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from himaya.core.forms import StyledForm, show_refusal
from himaya.core.languages import LANGUAGES
from himaya.screening import rules
from himaya.screening.actions import MAX_AGE, Interpretation, check_interpretation
from himaya.screening.exceptions import ScreeningError
from himaya.screening.models import (
    STAFF_SEXES,
    Answer,
    ConsentBy,
    IndicatorSet,
    InterpreterProvider,
    Screening,
    TraffickingIndicator,
)

if TYPE_CHECKING:
    ModelChoiceField = forms.ModelChoiceField[IndicatorSet]
else:
    ModelChoiceField = forms.ModelChoiceField  # not subscriptable at run time


class SetField(ModelChoiceField):
    def label_from_instance(self, obj: IndicatorSet) -> str:
        if obj.provisional:
            return str(_("%(set)s (provisional: weights not verified)") % {"set": obj.name})
        return str(obj.name)


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class SetChoiceForm(StyledForm):
    indicator_set = SetField(
        label=_("Indicator set"),
        queryset=IndicatorSet.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )

    consent_by = forms.ChoiceField(
        label=_("Consent to the interview and the screening was given by"),
        choices=ConsentBy.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Ask before any question. For a child, the guardian consents and the child assents."
        ),
        error_messages={
            "required": _(
                "Record who consented to the interview and the screening (the person, or "
                "the guardian for a child) before the questionnaire."
            )
        },
    )
    child_assent = forms.BooleanField(
        label=_("The child assented to the interview"),
        required=False,
    )
    age_at_recruitment = forms.IntegerField(
        label=Screening._meta.get_field("age_at_recruitment").verbose_name,
        help_text=Screening._meta.get_field("age_at_recruitment").help_text,
        required=False,
        min_value=0,
        max_value=MAX_AGE,
    )
    recruited_on = forms.DateField(
        label=Screening._meta.get_field("recruited_on").verbose_name,
        help_text=Screening._meta.get_field("recruited_on").help_text,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    interpreter_needed = forms.TypedChoiceField(
        label=_("Was an interpreter needed?"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Record whether an interpreter was needed.")},
    )
    interview_language = forms.ChoiceField(
        label=Screening._meta.get_field("interview_language").verbose_name,
        help_text=Screening._meta.get_field("interview_language").help_text,
        choices=[("", "—"), *LANGUAGES],
        required=False,
    )
    interpreter_provided_by = forms.ChoiceField(
        label=Screening._meta.get_field("interpreter_provided_by").verbose_name,
        choices=InterpreterProvider.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    interpreter_sex = forms.ChoiceField(
        label=_("Sex of the interpreter (optional)"),
        choices=[("", "—"), *STAFF_SEXES],
        required=False,
    )
    interviewer_sex = forms.ChoiceField(
        label=_("Sex of the interviewer (optional)"),
        choices=[("", "—"), *STAFF_SEXES],
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        sets: QuerySet[IndicatorSet],
        birth_year: int | None = None,
        today: datetime.date | None = None,
        assessed_adult: bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.birth_year = birth_year
        self.assessed_adult = assessed_adult
        self.today = today or datetime.date.today()
        field = self.fields["indicator_set"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = sets

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("indicator_set")
        age = data.get("age_at_recruitment")
        recruited_on = data.get("recruited_on")
        if recruited_on is not None and recruited_on > self.today:
            self.add_error("recruited_on", _("The date of recruitment cannot be in the future."))
            return data
        if chosen is not None and not chosen.for_children:
            child = rules.child_at_recruitment(
                birth_year=self.birth_year,
                age_at_recruitment=age,
                recruited_on=recruited_on,
                today=self.today,
                assessed_adult=self.assessed_adult,
            )
            if child and not rules.age_known(birth_year=self.birth_year, age_at_recruitment=age):
                self.add_error(
                    "indicator_set",
                    _(
                        "The person's age is not known, so they are presumed a child: choose "
                        "the children's set, or record the age at recruitment if they were 18 "
                        "or more when recruited."
                    ),
                )
            elif child:
                self.add_error(
                    "indicator_set",
                    _("The person was a child when recruited: choose the children's set."),
                )
        if "interpreter_needed" in data:
            try:
                check_interpretation(self.interpretation(data))
            except ScreeningError as error:
                show_refusal(error, form=self)
        return data

    def interpretation(self, data: dict[str, Any] | None = None) -> Interpretation:
        data = self.cleaned_data if data is None else data
        return Interpretation(
            needed=data.get("interpreter_needed"),
            language=data.get("interview_language") or "",
            provided_by=data.get("interpreter_provided_by") or "",
            interpreter_sex=data.get("interpreter_sex") or "",
            interviewer_sex=data.get("interviewer_sex") or "",
        )


def field_name(indicator: TraffickingIndicator) -> str:
    return f"answer-{indicator.code}"


class QuestionnaireForm(StyledForm):
    """One yes / no / unknown question per indicator of the set, all unknown at first."""

    def __init__(self, *args: Any, indicators: list[TraffickingIndicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[field_name(indicator)] = forms.ChoiceField(
                label=indicator.text,
                choices=Answer.choices,
                initial=Answer.UNKNOWN,
                widget=forms.RadioSelect,
            )

    def answers(self) -> dict[str, str]:
        return {
            indicator.code: self.cleaned_data[field_name(indicator)]
            for indicator in self.indicators
        }

    def by_dimension(self) -> list[tuple[str, list[tuple[TraffickingIndicator, Any]]]]:
        """Bound fields grouped by dimension, in the order of the catalogue."""
        groups: dict[str, list[tuple[TraffickingIndicator, Any]]] = {}
        labels: dict[str, str] = {}
        for indicator in self.indicators:
            groups.setdefault(indicator.dimension, []).append(
                (indicator, self[field_name(indicator)])
            )
            labels[indicator.dimension] = str(indicator.get_dimension_display())
        return [(labels[d], rows) for d, rows in groups.items()]
