from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import Agency
from himaya.core.forms import StyledForm, VersionedForm
from himaya.referrals.models import SharedField
from himaya.services.models import ServiceType


class ReferralForm(StyledForm):
    to_agency = forms.ModelChoiceField(
        label=_("Refer to"),
        queryset=Agency.objects.none(),
        to_field_name="code",
        help_text=_(
            "The agency that will provide the service. The survivor's consent for that agency is "
            "needed."
        ),
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
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Share only what the agency needs to provide the service."),
    )
    medical_note = forms.CharField(
        label=_("Medical needs note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only what the agency needs, for example “needs daily insulin”."),
    )
    safety_note = forms.CharField(
        label=_("Safety note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Risks the agency must know to keep the person and its staff safe."),
    )
    override_reason = forms.CharField(
        label=_("Reason for sharing without consent (supervisors only)"),
        required=False,
        max_length=2000,
        help_text=_(
            "Never for an embassy: an embassy receives a referral only with the survivor's "
            "own consent for that embassy, and only the embassy of the survivor's country."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, exclude_agency_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.filter(is_active=True).order_by("kind", "name_en")
        if exclude_agency_id is not None:
            agencies = agencies.exclude(pk=exclude_agency_id)
        self.fields["to_agency"].queryset = agencies  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        shared = data.get("shared_fields") or []
        if SharedField.MEDICAL_NEEDS in shared and not (data.get("medical_note") or "").strip():
            self.add_error("medical_note", _("Write the medical needs note you share."))
        if SharedField.SAFETY_NOTE in shared and not (data.get("safety_note") or "").strip():
            self.add_error("safety_note", _("Write the safety note you share."))
        return data


class VersionForm(VersionedForm):
    """A change of status, which carries only the version the referral was read at."""


class DeclineForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason for declining"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The referring case worker reads this reason."),
    )


class CompleteForm(VersionForm):
    outcome = forms.CharField(
        label=_("Outcome of the service"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was provided; the referring case worker reads it."),
    )
