import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from himaya.core.forms import StyledForm
from himaya.screening import rules
from himaya.screening.actions import MAX_AGE
from himaya.screening.models import (
    Answer,
    ConsentBy,
    IndicatorSet,
    Screening,
    TraffickingIndicator,
)

if TYPE_CHECKING:
    ModelChoiceField = forms.ModelChoiceField[IndicatorSet]
else:
    ModelChoiceField = forms.ModelChoiceField  # not subscriptable at run time


class SetField(ModelChoiceField):
    def label_from_instance(self, obj: IndicatorSet) -> str:
        return str(obj.name)


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

    def __init__(
        self,
        *args: Any,
        sets: QuerySet[IndicatorSet],
        birth_year: int | None = None,
        today: datetime.date | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.birth_year = birth_year
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
        known = age is not None or (recruited_on is not None and self.birth_year is not None)
        if chosen is not None and known and not chosen.for_children:
            child = rules.child_at_recruitment(
                birth_year=self.birth_year,
                age_at_recruitment=age,
                recruited_on=recruited_on,
                today=self.today,
            )
            if child:
                self.add_error(
                    "indicator_set",
                    _("The person was a child when recruited: choose the children's set."),
                )
        return data


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
