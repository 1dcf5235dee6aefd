from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import Agency, Governorate
from himaya.core import countries
from himaya.core.forms import DateInput, StyledForm, VersionedForm, style
from himaya.survivors import rules
from himaya.survivors.actions import RevealPurpose, problem_message
from himaya.survivors.models import (
    AgeAssessmentMethod,
    BestInterestsRecommendation,
    ChildAssent,
    ConsentPurpose,
    DeterminationDecision,
    DocumentKind,
    DurableSolution,
    GuardianAppointment,
    GuardianKind,
    MigrationStatus,
    ReviewStatus,
    Sex,
)

IDENTITY_NAMES = (
    "name_ar",
    "name_latin",
    "aliases",
    "date_of_birth",
    "phone",
    "address",
    "family_contact",
    "unhcr_reference",
)
CLEAR_NAMES = (
    "sex",
    "birth_year",
    "age_is_estimated",
    "nationality",
    "governorate_of_origin",
    "languages",
    "has_disability",
    "migration_status",
    "unhcr_registered",
)


def _issuing_countries() -> countries.Choices:
    return countries.choices(blank="—")


class SurvivorDataForm(StyledForm):
    """Identity (encrypted) and clear data of a survivor, shared by registration and edit."""

    name_ar = forms.CharField(
        label=_("Name in Arabic script"),
        max_length=200,
        required=False,
        help_text=_("As the person gives it. At least one of the two names is needed."),
    )
    name_latin = forms.CharField(label=_("Name in Latin script"), max_length=200, required=False)
    aliases = forms.CharField(
        label=_("Other names and aliases"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Names used in documents, given by the traffickers, or nicknames."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "Only when it is certain, for example from a document. Otherwise give the year or an "
            "estimated age."
        ),
    )
    birth_year = forms.IntegerField(
        label=_("Year of birth"),
        required=False,
        help_text=_("When only the year is known."),
    )
    estimated_age = forms.IntegerField(
        label=_("Estimated age (years)"),
        required=False,
        help_text=_("When neither the date nor the year of birth is known."),
    )
    age_is_estimated = forms.BooleanField(
        label=_("The age is estimated"),
        required=False,
        help_text=_(
            "Tick when the age is not from a document. A person whose age is uncertain is treated "
            "as a child."
        ),
    )
    nationality = forms.ChoiceField(label=_("Nationality"), choices=countries.choices, initial="EG")
    governorate_of_origin = forms.ModelChoiceField(
        label=_("Governorate of origin"), queryset=Governorate.objects.all(), required=False
    )
    languages = forms.CharField(
        label=_("Languages spoken"),
        max_length=200,
        required=False,
        help_text=_("So that an interpreter can be arranged, for example Arabic, Tigrinya."),
    )
    has_disability = forms.BooleanField(
        label=_("Has a disability"),
        required=False,
        help_text=_("Any disability that services and shelters must plan for."),
    )
    migration_status = forms.ChoiceField(
        label=_("Migration status"),
        choices=MigrationStatus.choices,
        initial=MigrationStatus.NOT_KNOWN,
        required=False,
        help_text=_(
            "As far as it is known. Asylum seekers and refugees are never disclosed to any "
            "embassy, whatever the consent."
        ),
    )
    unhcr_registered = forms.BooleanField(
        label=_("Registered with UNHCR"),
        required=False,
        help_text=_(
            "Registered with the UN Refugee Agency. Such a person is never disclosed to any "
            "embassy."
        ),
    )
    unhcr_reference = forms.CharField(
        label=_("UNHCR reference number"),
        max_length=40,
        required=False,
        help_text=_("As on the UNHCR card or certificate. Stored encrypted, like the names."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        help_text=_("A number where the person can be reached safely."),
    )
    address = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Where the person stays now. Stored encrypted, like the names."),
    )
    family_contact = forms.CharField(
        label=_("Family contact"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A relative to contact, with the way to reach them."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for field, code in rules.name_problems(
            name_ar=data.get("name_ar") or "", name_latin=data.get("name_latin") or ""
        ):
            self.add_error(field, problem_message(code))
        unhcr = rules.unhcr_problem(
            unhcr_registered=bool(data.get("unhcr_registered")),
            unhcr_reference=data.get("unhcr_reference") or "",
        )
        if unhcr is not None:
            self.add_error("unhcr_reference", problem_message(unhcr))
        date_of_birth = data.get("date_of_birth")
        birth_year = data.get("birth_year")
        estimated_age = data.get("estimated_age")
        today = timezone.localdate()
        if date_of_birth is None and estimated_age is not None:
            if birth_year is not None:
                self.add_error(
                    "estimated_age", _("Give either the year of birth or an estimated age.")
                )
                return data
            problem = rules.age_problem(estimated_age, today=today)
            if problem is not None:
                self.add_error("estimated_age", problem_message(problem))
                return data
            data["birth_year"] = rules.birth_year_from_age(estimated_age, today=today)
            data["age_is_estimated"] = True
            return data
        problem = rules.birth_problem(
            date_of_birth=date_of_birth, birth_year=birth_year, today=today
        )
        if problem is not None:
            field = "date_of_birth" if problem == "implausible_birth_date" else "birth_year"
            self.add_error(field, problem_message(problem))
        elif date_of_birth is not None:
            data["birth_year"] = date_of_birth.year
            data["age_is_estimated"] = False
        return data

    def identity(self) -> dict[str, str]:
        data = self.cleaned_data
        values = {name: data.get(name) or "" for name in IDENTITY_NAMES}
        dob = data.get("date_of_birth")
        values["date_of_birth"] = dob.isoformat() if dob else ""
        return values

    def clear(self) -> dict[str, Any]:
        values = {name: self.cleaned_data.get(name) for name in CLEAR_NAMES}
        if not values["migration_status"]:
            # Left out: the status stays as it is (not known for a new survivor).
            del values["migration_status"]
        return values


class RegisterForm(SurvivorDataForm):
    agency = forms.ModelChoiceField(
        label=_("Registering agency"),
        queryset=Agency.objects.none(),
        help_text=_("The agency on whose behalf you register the person."),
    )
    document_kind = forms.ChoiceField(
        label=_("Identity document"),
        choices=[("", _("No document")), *DocumentKind.choices],
        required=False,
    )
    document_number = forms.CharField(
        label=_("Document number"),
        max_length=60,
        required=False,
        help_text=_("Stored encrypted; used to find the person if already registered."),
    )
    document_country = forms.ChoiceField(
        label=_("Issuing country"), choices=_issuing_countries, required=False
    )
    confirm_duplicate = forms.BooleanField(
        label=_("I checked the existing record: register this survivor anyway"),
        required=False,
        help_text=_("Tick only after you checked that the existing record is another person."),
    )

    field_order = ["agency"]

    def __init__(self, *args: Any, agencies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
            first = agencies.first()
            if first is not None:
                self.fields["agency"].initial = first.pk

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind, number = data.get("document_kind"), (data.get("document_number") or "").strip()
        if number and not kind:
            self.add_error("document_kind", _("Choose the kind of document."))
        if kind and not rules.is_document_number(number):
            self.add_error("document_number", _("Enter the document number."))
        return data


class EditIdentityForm(SurvivorDataForm, VersionedForm):
    pass


class DocumentForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    number = forms.CharField(
        label=_("Document number"),
        max_length=60,
        help_text=_("Stored encrypted; used to find the person if already registered."),
    )
    issuing_country = forms.ChoiceField(
        label=_("Issuing country"), choices=_issuing_countries, required=False
    )

    def clean_number(self) -> str:
        number: str = self.cleaned_data["number"].strip()
        if not rules.is_document_number(number):
            raise forms.ValidationError(problem_message("document_number_required"))
        return number


class RevealForm(StyledForm):
    purpose = forms.ChoiceField(
        label=_("Why do you need to see the identity?"),
        choices=RevealPurpose.choices,
        help_text=_(
            "Each reading of the identity is recorded with this purpose in the audit trail."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own element ids: the consent form on the same page has a ``purpose`` too.
        kwargs.setdefault("auto_id", "reveal_%s")
        super().__init__(*args, **kwargs)


class ConsentForm(StyledForm):
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=ConsentPurpose.choices,
        help_text=_(
            "Each purpose needs its own consent: care, a referral to a named agency, an embassy, "
            "or anonymous statistics."
        ),
    )
    recipient = forms.ModelChoiceField(
        label=_("Recipient agency"),
        queryset=Agency.objects.filter(is_active=True).order_by("name_en"),
        required=False,
        help_text=_("Required for a referral or for sharing with an embassy."),
    )
    given_on = forms.DateField(
        label=_("Given on"),
        widget=DateInput(),
        help_text=_(
            "The day the person agreed, after it was explained in a language they understand."
        ),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_(
            "How the consent was given, for example signed, or orally with an interpreter."
        ),
    )

    def __init__(self, *args: Any, guardians: Any = None, **kwargs: Any) -> None:
        """With ``guardians`` (the child's current guardians), the form records the
        guardian's consent and, apart from it, the child's own assent."""
        super().__init__(*args, **kwargs)
        self.fields["given_on"].initial = timezone.localdate()
        if guardians is not None:
            self.fields["guardian"] = GuardianChoiceField(
                label=_("Guardian who consented"),
                queryset=guardians,
                help_text=_("A child's consent is given by the child's appointed guardian."),
            )
            self.fields["guardian_consented_on"] = forms.DateField(
                label=_("Guardian consented on"), widget=DateInput(), required=False
            )
            self.fields["child_assent"] = forms.ChoiceField(
                label=_("The child's assent"),
                choices=[(v, label) for v, label in ChildAssent.choices if v],
                widget=forms.RadioSelect,
                help_text=_(
                    "Ask the child in a way suited to their age and maturity, apart from "
                    "the guardian."
                ),
            )
            self.fields["child_assent_reason"] = forms.CharField(
                label=_("Why the child was not asked"), max_length=300, required=False
            )
            style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        recipient = data.get("recipient")
        purpose = data.get("purpose")
        if purpose:
            problem = rules.consent_recipient_problem(
                purpose=purpose, recipient_kind=recipient.kind if recipient else None
            )
            if problem == "recipient_required":
                self.add_error("recipient", _("Name the agency that will receive the data."))
            elif problem == "recipient_not_embassy":
                self.add_error(
                    "recipient", _("Sharing with an embassy needs an embassy as recipient.")
                )
        given_on = data.get("given_on")
        if given_on and given_on > timezone.localdate():
            self.add_error("given_on", _("A consent cannot be given in the future."))
        return data


class WithdrawConsentForm(VersionedForm):
    pass


class SearchForm(StyledForm):
    q = forms.CharField(
        label=_("Name, phone, code or document number"), max_length=200, required=False
    )


class ReviewDecisionForm(VersionedForm):
    status = forms.ChoiceField(
        choices=[
            (ReviewStatus.DISTINCT, ReviewStatus.DISTINCT.label),
            (ReviewStatus.CONFIRMED, ReviewStatus.CONFIRMED.label),
        ]
    )


# --- children's safeguards -------------------------------------------------------------


class GuardianChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A guardian named by kind and date of appointment: the name stays encrypted."""

    def label_from_instance(self, obj: GuardianAppointment) -> str:
        return f"{obj.get_kind_display()} · {obj.appointed_on.isoformat()}"


class GuardianForm(StyledForm):
    guardian_name = forms.CharField(label=_("Name of the guardian"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of guardian"), choices=GuardianKind.choices)
    appointing_agency = forms.ModelChoiceField(
        label=_("Appointing agency"),
        queryset=Agency.objects.filter(is_active=True).order_by("name_en"),
        required=False,
    )
    appointing_body = forms.CharField(
        label=_("Appointing body"),
        max_length=200,
        required=False,
        help_text=_("The court or committee that appointed the guardian, when not an agency."),
    )
    appointed_on = forms.DateField(label=_("Appointed on"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["appointed_on"].initial = timezone.localdate()


class EndGuardianForm(VersionedForm):
    ended_on = forms.DateField(label=_("Ended on"), widget=DateInput(), required=False)


class BestInterestsAssessmentForm(StyledForm):
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DateInput())
    summary = forms.CharField(
        label=_("Summary of the assessment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("Kept encrypted. Safety, family, health, education and the child's wishes."),
    )
    child_views_heard = forms.BooleanField(label=_("The child's views were heard"), required=False)
    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=BestInterestsRecommendation.choices
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessed_on"].initial = timezone.localdate()


class BestInterestsDeterminationForm(StyledForm):
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput())
    panel_members = forms.CharField(
        label=_("Panel members"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("One member per line: name and function."),
    )
    durable_solution = forms.ChoiceField(
        label=_("Durable solution"), choices=DurableSolution.choices
    )
    decision = forms.ChoiceField(label=_("Decision"), choices=DeterminationDecision.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].initial = timezone.localdate()


class ChildFlagsForm(VersionedForm):
    unaccompanied = forms.BooleanField(
        label=_("Unaccompanied child"),
        required=False,
        help_text=_("Without both parents and without any adult caring for the child."),
    )
    separated = forms.BooleanField(
        label=_("Separated child"),
        required=False,
        help_text=_("Without parents or the usual caregiver, but possibly with other relatives."),
    )


class AgeAssessmentForm(StyledForm):
    method = forms.ChoiceField(label=_("Method of assessment"), choices=AgeAssessmentMethod.choices)
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DateInput())
    is_adult = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("no", _("A child (under 18)")), ("yes", _("An adult (18 or older)"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    estimated_age = forms.IntegerField(
        label=_("Estimated age (years)"), min_value=0, max_value=120, required=False
    )
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, agencies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessed_on"].initial = timezone.localdate()
        if agencies is not None:
            field = self.fields["agency"]
            field.queryset = agencies  # type: ignore[attr-defined]
            only = list(agencies[:2])
            if len(only) == 1:
                field.initial = only[0].pk
