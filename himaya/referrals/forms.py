from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import Agency
from himaya.referrals.models import SharedField
from himaya.services.models import ServiceType


class ReferralForm(forms.Form):
    to_agency = forms.ModelChoiceField(
        label=_("Refer to"), queryset=Agency.objects.none(), to_field_name="code"
    )
    service_type = forms.ModelChoiceField(
        label=_("Service asked for"),
        queryset=ServiceType.objects.filter(is_active=True),
        to_field_name="code",
    )
    shared_fields = forms.MultipleChoiceField(
        label=_("Fields shared with the agency"),
        choices=SharedField.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Share only what the agency needs to provide the service."),
    )
    medical_note = forms.CharField(
        label=_("Medical needs note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
    safety_note = forms.CharField(
        label=_("Safety note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
    override_reason = forms.CharField(
        label=_("Reason for sharing without consent (supervisors only)"),
        required=False,
        max_length=2000,
        help_text=_(
            "Never for an embassy: an embassy receives a referral only with the survivor's "
            "own consent for that embassy, and only the embassy of the survivor's country."
        ),
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )

    def __init__(self, *args: Any, exclude_agency_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.filter(is_active=True).order_by("kind", "name_en")
        if exclude_agency_id is not None:
            agencies = agencies.exclude(pk=exclude_agency_id)
        self.fields["to_agency"].queryset = agencies  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            if name != "shared_fields":
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs.setdefault("class", css)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        shared = data.get("shared_fields") or []
        if SharedField.MEDICAL_NEEDS in shared and not (data.get("medical_note") or "").strip():
            self.add_error("medical_note", _("Write the medical needs note you share."))
        if SharedField.SAFETY_NOTE in shared and not (data.get("safety_note") or "").strip():
            self.add_error("safety_note", _("Write the safety note you share."))
        return data


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DeclineForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason for declining"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto", "class": "form-control"}),
    )


class CompleteForm(VersionForm):
    outcome = forms.CharField(
        label=_("Outcome of the service"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto", "class": "form-control"}),
    )
