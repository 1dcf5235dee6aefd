"""Forms of the cases pages. Each editable record's form carries its hidden ``version``."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Governorate
from himaya.cases import rules, selectors
from himaya.cases.models import (
    ClosureReason,
    ExploitationForm,
    IdentificationChannel,
    IdentificationStatus,
    OnlinePlatform,
    Phase,
    RecruitmentChannel,
    RiskFactor,
    RiskLevel,
)
from himaya.core.countries import CountryChoiceField
from himaya.core.forms import DateInput, PersonChoiceField, StyledForm, VersionedForm
from himaya.survivors.models import Survivor


class CaseDetailsFields(StyledForm):
    first_contact_on = forms.DateField(
        label=_("Date of first contact"),
        widget=DateInput(),
        help_text=_("The day an agency first met or spoke with the person about this situation."),
    )
    identified_on = forms.DateField(
        label=_("Date of identification"),
        widget=DateInput(),
        required=False,
        help_text=_(
            "The day a competent authority decided that the person is a victim of trafficking. "
            "Leave it empty while that decision is awaited."
        ),
    )
    identified_by = forms.ChoiceField(
        label=_("Identified through"),
        choices=IdentificationChannel.choices,
        help_text=_("Who first noticed signs of trafficking and brought the person to the system."),
    )
    identifying_agency = forms.ModelChoiceField(
        label=_("Identifying agency"),
        queryset=Agency.objects.filter(is_active=True).order_by("name_en"),
        required=False,
        help_text=_("The agency that took the identification decision, when it is known."),
    )
    exploitation_forms = forms.ModelMultipleChoiceField(
        label=_("Forms of exploitation"),
        queryset=ExploitationForm.objects.order_by("order"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick every form that applies: a person may suffer several."),
    )
    recruitment_channel = forms.ChoiceField(
        label=_("Recruitment channel"),
        choices=RecruitmentChannel.choices,
        initial=RecruitmentChannel.UNKNOWN,
        help_text=_(
            "How the recruiter first reached the person. Choose “Not known” rather than guess."
        ),
    )
    country_of_exploitation = CountryChoiceField(
        label=_("Country of exploitation"), initial="EG", stateless=False
    )
    governorate_of_exploitation = forms.ModelChoiceField(
        label=_("Governorate of exploitation"),
        queryset=Governorate.objects.order_by("name_en"),
        required=False,
        help_text=_("Only when the exploitation took place in Egypt."),
    )
    is_transnational = forms.BooleanField(
        label=_("Transnational case"),
        required=False,
        help_text=_(
            "Tick when the person was moved across a border, into or out of Egypt, even if the "
            "exploitation was in Egypt."
        ),
    )
    screening_code = forms.CharField(
        label=_("Screening reference"),
        max_length=20,
        required=False,
        help_text=_("The code of the screening that led to this case (SC-…), if there was one."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, identified = data.get("first_contact_on"), data.get("identified_on")
        if first and identified and identified < first:
            self.add_error(
                "identified_on", _("The identification date cannot be before the first contact.")
            )
        country = (data.get("country_of_exploitation") or "").upper()
        data["country_of_exploitation"] = country
        # The action enforces the rule; the form says it beside the field at once.
        if country and rules.must_be_transnational(
            country_of_exploitation=country, is_transnational=bool(data.get("is_transnational"))
        ):
            self.add_error(
                "is_transnational", _("Exploitation abroad makes the case transnational.")
            )
        return data


class OpenCaseForm(CaseDetailsFields):
    """Opens a case for a survivor the user may see, led by one of the user's agencies."""

    survivor = forms.CharField(
        label=_("Survivor code"),
        max_length=20,
        help_text=_("The survivor's code (SV-…), never a name."),
    )
    lead_agency = forms.ModelChoiceField(
        label=_("Lead agency"),
        queryset=Agency.objects.none(),
        help_text=_("The agency responsible for the case; its staff work on it."),
    )

    field_order = ["survivor", "lead_agency", "screening_code"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        agencies = selectors.lead_agencies_for(user)
        self.fields["lead_agency"].queryset = agencies  # type: ignore[attr-defined]
        if agencies.count() == 1:
            self.fields["lead_agency"].initial = agencies.first()

    def clean_survivor(self) -> Survivor:
        survivor = selectors.survivor_for_case(self.user, self.cleaned_data["survivor"])
        if survivor is None:
            raise forms.ValidationError(_("No survivor with this code is known to you."))
        return survivor


class CaseDetailsForm(CaseDetailsFields, VersionedForm):
    pass


class MoveForm(VersionedForm):
    to_phase = forms.ChoiceField(label=_("New phase"), choices=Phase.choices)
    on = forms.DateField(label=_("Date"), widget=DateInput(), required=False)


class ClosureForm(StyledForm):
    reason = forms.ChoiceField(
        label=_("Reason for closing"),
        choices=[("", "---------"), *ClosureReason.choices],
        error_messages={"required": _("Give the reason for closing the case.")},
    )
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(VersionedForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("return", _("Return / refuse"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReassignForm(VersionedForm):
    case_worker = PersonChoiceField(label=_("New case worker"), queryset=User.objects.none())

    def __init__(self, *args: Any, workers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_worker"].queryset = workers  # type: ignore[attr-defined]


class RiskFields(StyledForm):
    level = forms.ChoiceField(
        label=_("Risk level"),
        choices=RiskLevel.choices,
        help_text=_(
            "Low: usual follow-up. Medium: watch for changes at every contact. High: make a safety "
            "plan and review within 30 days. Critical: immediate protection today (shelter, "
            "police)."
        ),
    )
    factors = forms.MultipleChoiceField(
        label=_("Risk factors"),
        choices=RiskFactor.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick every factor you saw: they explain the level you chose."),
    )
    assessed_on = forms.DateField(
        label=_("Assessed on"),
        widget=DateInput(),
        help_text=_(
            "The day you assessed the risk with the person. Assess again whenever the situation "
            "changes."
        ),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The facts behind the level, and the safety steps agreed with the person."),
    )


class RiskEditForm(RiskFields, VersionedForm):
    pass


class CarePlanForm(VersionedForm):
    summary = forms.CharField(
        label=_("Summary"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The person's needs and what you agreed to work on, in a few lines."),
    )


class GoalForm(StyledForm):
    description = forms.CharField(
        label=_("Goal"),
        max_length=300,
        help_text=_("One concrete result, for example “A new passport issued”."),
    )
    target_on = forms.DateField(label=_("Target date"), widget=DateInput(), required=False)


class GoalEditForm(GoalForm, VersionedForm):
    is_achieved = forms.BooleanField(label=_("Achieved"), required=False)


class IdentificationForm(VersionedForm):
    """The formal identification decision (the action checks who may record which)."""

    status = forms.ChoiceField(label=_("Decision"), choices=IdentificationStatus.choices)
    decided_on = forms.DateField(label=_("Date of the decision"), widget=DateInput())
    grounds = forms.CharField(
        label=_("Grounds"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What the decision rests on: the indicators found, the evidence, the interview."
        ),
    )


class CaseNoteForm(StyledForm):
    """A new note on the case (the action bounds and cleans the text)."""

    body = forms.CharField(
        label=_("Note"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_("Seen only by the case's team; never printed or exported."),
    )


class CaseNoteReviseForm(VersionedForm):
    """A new text for a note, from the version its author read."""

    body = forms.CharField(
        label=_("Note"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
    )


# --- transfers ------------------------------------------------------------------------------


class TransferProposeForm(StyledForm):
    to_agency = forms.ModelChoiceField(
        label=_("Receiving agency"),
        queryset=Agency.objects.none(),
        help_text=_(
            "The agency that will lead the case from now on, for example the directorate of "
            "the governorate where the survivor now lives."
        ),
    )
    reason = forms.CharField(
        label=_("Reason for the transfer"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_(
            "Why the case should move (the survivor moved, a service exists only there). "
            "The receiving supervisors read it before deciding."
        ),
    )
    consent_given_on = forms.DateField(
        label=_("Consent given on"),
        widget=DateInput(),
        required=False,
        help_text=_(
            "Only when the survivor's consent to share the case with the receiving agency is "
            "not on file yet: the day the survivor gave it. It is recorded with the transfer."
        ),
    )

    def __init__(self, *args: Any, destinations: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = destinations


class TransferAcceptForm(VersionedForm):
    case_worker = PersonChoiceField(
        label=_("Case worker"),
        queryset=User.objects.none(),
        required=False,
        help_text=_(
            "The case worker of your agency who takes the case. Leave it empty to hold the "
            "case yourself until you reassign it."
        ),
    )

    def __init__(self, *args: Any, workers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["case_worker"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = workers


class TransferRefuseForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason for refusing"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
        help_text=_("The sending agency reads it: say what would make the transfer possible."),
    )


# --- technology-facilitated trafficking -----------------------------------------------------


def _platform_field(label: Any, help_text: Any) -> "forms.ModelMultipleChoiceField[Any]":
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=OnlinePlatform.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=help_text,
    )


def _platform_name(platform: OnlinePlatform) -> str:
    """A platform as people know it, in the reader's language (never its code)."""
    return platform.name


class TechnologyForm(VersionedForm):
    recruitment_platforms = _platform_field(
        _("Platforms used to recruit"),
        _("Where the recruiter found or first contacted the person (an advert, a profile)."),
    )
    control_platforms = _platform_field(
        _("Platforms used to control"),
        _("Used to watch, threaten or give orders to the person (messages, location sharing)."),
    )
    exploitation_platforms = _platform_field(
        _("Platforms used to exploit"),
        _("Where the person's exploitation was sold or shown (adverts, streams, sales)."),
    )
    exploited_online = forms.BooleanField(
        label=_("Exploited online"),
        required=False,
        help_text=_(
            "Tick when the exploitation itself took place online (a webcam, a stream, online "
            "sales of the person's images), whatever the place of exploitation."
        ),
    )

    def __init__(self, *args: Any, platforms: QuerySet[OnlinePlatform], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("recruitment_platforms", "control_platforms", "exploitation_platforms"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelMultipleChoiceField)
            field.queryset = platforms
            field.label_from_instance = _platform_name  # type: ignore[method-assign,assignment]


class DigitalEvidenceForm(StyledForm):
    description = forms.CharField(
        label=_("What the evidence is"),
        max_length=500,
        help_text=_("For example: screenshots of the job advert and of the chats. No files here."),
    )
    reference = forms.CharField(
        label=_("Where it is kept"),
        max_length=500,
        help_text=_(
            "Who holds it and under which reference, for example: the prosecution, "
            "file 123/2026; the police unit's evidence store."
        ),
    )
    recorded_on = forms.DateField(
        label=_("Recorded on"),
        widget=DateInput(),
        help_text=_("The day the evidence was secured or handed over."),
    )
