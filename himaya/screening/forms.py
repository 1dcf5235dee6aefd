from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from himaya.core.forms import StyledForm
from himaya.screening.models import Answer, IndicatorSet, TraffickingIndicator

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

    def __init__(self, *args: Any, sets: QuerySet[IndicatorSet], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["indicator_set"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = sets


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
