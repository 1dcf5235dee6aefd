import datetime
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.core.forms import style
from himaya.monitoring.indicators import DIMENSIONS, Indicator, all_indicators, get_indicator

PERIODS = [
    ("7", _("Last 7 days")),
    ("30", _("Last 30 days")),
    ("90", _("Last 90 days")),
    ("365", _("Last 365 days")),
]
MAX_DAYS = 366
# Three months by default: daily counts are small, their trend shows over weeks.
DEFAULT_DAYS = 90


class DashboardForm(forms.Form):
    """What the dashboard shows: an indicator, a disaggregation, one member of it, a period."""

    indicator = forms.ChoiceField(label=_("Indicator"), required=False)
    dimension = forms.ChoiceField(label=_("Break down by"), required=False)
    member = forms.CharField(label=_("Member"), required=False, max_length=64)
    days = forms.ChoiceField(
        label=_("Period"), choices=PERIODS, required=False, initial=str(DEFAULT_DAYS)
    )
    end = forms.DateField(label=_("Up to"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["indicator"]).choices = [
            (i.code, i.name) for i in all_indicators()
        ]
        chosen = self.chosen_indicator()
        cast(forms.ChoiceField, self.fields["dimension"]).choices = [("", _("Total only"))] + [
            (d, DIMENSIONS[d]) for d in chosen.dimensions
        ]
        style(self)

    def chosen_indicator(self) -> Indicator:
        code = self.data.get("indicator") if self.is_bound else None
        found = get_indicator(str(code)) if code else None
        return found or all_indicators()[0]

    def choices(self) -> dict[str, Any]:
        """The cleaned choices, with the defaults for anything missing or invalid."""
        self.is_valid()  # keeps the fields that are valid, drops the others
        cleaned: dict[str, Any] = getattr(self, "cleaned_data", {})
        return {
            "indicator": self.chosen_indicator(),
            "dimension": cleaned.get("dimension") or "",
            "member": cleaned.get("member") or "",
            "days": int(cleaned.get("days") or DEFAULT_DAYS),
            "end": cleaned.get("end"),
        }


class SettingForm(forms.Form):
    target = forms.DecimalField(label=_("Target"), required=False, max_digits=16, decimal_places=2)
    warning = forms.DecimalField(
        label=_("Warning threshold"), required=False, max_digits=16, decimal_places=2
    )
    critical = forms.DecimalField(
        label=_("Critical threshold"), required=False, max_digits=16, decimal_places=2
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


def period(days: int, end: datetime.date) -> tuple[datetime.date, datetime.date]:
    return end - datetime.timedelta(days=days - 1), end
