from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.core.forms import DateInput, StyledForm


class EventFilterForm(StyledForm):
    action = forms.CharField(label=_("Action"), required=False, max_length=64)
    actor = forms.CharField(label=_("Username"), required=False, max_length=150)
    object_code = forms.CharField(label=_("Record code"), required=False, max_length=64)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # a compact filter bar
            field.widget.attrs["class"] += " form-control-sm"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data
