from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import Agency
from himaya.cases.models import CarePlanGoal
from himaya.core.forms import DateInput, StyledForm, VersionedForm
from himaya.core.languages import LANGUAGES
from himaya.services.models import (
    DeliveryStatus,
    FeedbackRecorder,
    InterpreterProvider,
    InterpreterSex,
    ServiceType,
)

INTERPRETER_FIELDS = (
    "interpreter_needed",
    "interpreter_language",
    "interpreter_provided_by",
    "interpreter_sex",
)


class InterpreterFields(forms.Form):
    """Whether the survivor needed an interpreter, in which language, and who interpreted."""

    interpreter_needed = forms.BooleanField(label=_("An interpreter is needed"), required=False)
    interpreter_language = forms.ChoiceField(
        label=_("Language to interpret"),
        choices=[("", "—"), *LANGUAGES],
        required=False,
    )
    interpreter_provided_by = forms.ChoiceField(
        label=_("Interpreter provided by"),
        choices=[("", "—"), *InterpreterProvider.choices],
        required=False,
    )
    interpreter_sex = forms.ChoiceField(
        label=_("Interpreter's sex (optional)"),
        choices=[("", "—"), *InterpreterSex.choices],
        required=False,
        help_text=_("Some survivors ask for an interpreter of their own sex."),
    )


class PlanServiceForm(StyledForm, InterpreterFields):
    service_type = forms.ModelChoiceField(
        label=_("Service"), queryset=ServiceType.objects.filter(is_active=True)
    )
    provider = forms.ModelChoiceField(
        label=_("Provider agency"),
        queryset=Agency.objects.filter(is_active=True).order_by("name_en"),
        help_text=_("The agency that will deliver the service."),
    )
    planned_on = forms.DateField(label=_("Planned for"), widget=DateInput())
    goal: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label=_("Care plan goal it serves"),
        queryset=CarePlanGoal.objects.none(),
        required=False,
        help_text=_("The care plan goal this service helps to reach, if any."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, goals: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goals  # type: ignore[attr-defined]


class DeliveryForm(VersionedForm, InterpreterFields):
    status = forms.ChoiceField(label=_("Status"), choices=DeliveryStatus.choices)
    planned_on = forms.DateField(label=_("Planned for"), widget=DateInput())
    delivered_on = forms.DateField(
        label=_("Delivered on"),
        widget=DateInput(),
        required=False,
        help_text=_("Needed when the status is delivered."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == DeliveryStatus.DELIVERED and not data.get("delivered_on"):
            self.add_error("delivered_on", _("Give the date the service was delivered."))
        return data


class FeedbackForm(StyledForm):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        widget=forms.RadioSelect,
        help_text=_("1: very unsatisfied · 5: very satisfied"),
    )
    comment = forms.CharField(
        label=_("Short comment"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("No names or details that could identify the person."),
    )
    recorded_as = forms.ChoiceField(
        label=_("Recorded"),
        choices=FeedbackRecorder.choices,
        initial=FeedbackRecorder.STAFF,
        help_text=_("Whether the person filled it in, or staff wrote it down for them."),
    )
