from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from himaya.agencies.models import Governorate
from himaya.core.forms import StyledForm, VersionedForm
from himaya.core.languages import LANGUAGES, LanguagesField
from himaya.shelters.actions import DISCHARGE_DESTINATIONS, MAX_BEDS_AT_ONCE
from himaya.shelters.models import Destination, SecurityLevel, SexAccepted, Shelter
from himaya.shelters.rules import invalid_languages

if TYPE_CHECKING:
    ModelChoiceField = forms.ModelChoiceField[Shelter]
else:  # not subscriptable at run time
    ModelChoiceField = forms.ModelChoiceField

SEX_CHOICES = [
    ("female", pgettext_lazy("sex", "Female")),
    ("male", pgettext_lazy("sex", "Male")),
    ("other", pgettext_lazy("sex", "Other")),
    ("unknown", pgettext_lazy("sex", "Not known")),
]

LANGUAGE_CHOICES = [("", _("Any language")), *LANGUAGES]


def parse_ages(value: str) -> tuple[int, ...]:
    ages = []
    for part in value.replace("،", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) > 17:
            raise forms.ValidationError(
                _("Give the children's ages in years (0 to 17), separated by commas.")
            )
        ages.append(int(part))
    if len(ages) > 6:
        raise forms.ValidationError(_("At most six accompanying children."))
    return tuple(ages)


class NeedForm(StyledForm):
    sex = forms.ChoiceField(label=_("Sex"), choices=SEX_CHOICES, initial="female")
    age = forms.IntegerField(
        label=_("Age"),
        min_value=0,
        max_value=120,
        required=False,
        help_text=_(
            "Leave empty when the age is not known: the person is then treated as a child."
        ),
    )
    children_ages = forms.CharField(
        label=_("Ages of accompanying children"),
        required=False,
        max_length=40,
        help_text=_("For example: 0 for an infant, or 0, 4 for two children."),
    )
    wheelchair = forms.BooleanField(label=_("Needs wheelchair access"), required=False)
    language = forms.ChoiceField(
        label=_("Language spoken by staff"), choices=LANGUAGE_CHOICES, required=False
    )
    security_level = forms.TypedChoiceField(
        label=_("Security needed"),
        choices=SecurityLevel.choices,
        coerce=int,
        initial=SecurityLevel.STANDARD,
        help_text=_(
            "The protection the place must offer. High: for a person the traffickers may be "
            "looking for."
        ),
    )
    near = forms.ModelChoiceField(
        label=_("Nearest to"),
        queryset=Governorate.objects.all(),
        required=False,
        empty_label=_("Anywhere"),
    )
    case = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def clean_children_ages(self) -> tuple[int, ...]:
        return parse_ages(self.cleaned_data.get("children_ages") or "")


class AdmitForm(StyledForm):
    case = forms.CharField(max_length=20, widget=forms.HiddenInput)
    shelter = forms.CharField(max_length=20, widget=forms.HiddenInput)
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)
    children_ages = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    # "true" or "false" as the search answered it; empty only when nobody said (the
    # survivor's record then decides). A "no" must stay a "no".
    wheelchair = forms.NullBooleanField(required=False, widget=forms.HiddenInput)
    language = forms.CharField(required=False, max_length=3, widget=forms.HiddenInput)
    security_level = forms.IntegerField(
        required=False, min_value=1, max_value=3, widget=forms.HiddenInput
    )
    planned_nights = forms.IntegerField(
        label=_("Planned nights"), min_value=1, max_value=365, initial=30
    )
    # The search the admission was chosen from (its query string), shown again on refusal.
    search = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)

    def clean_children_ages(self) -> tuple[int, ...]:
        return parse_ages(self.cleaned_data.get("children_ages") or "")


class ShelterChoiceField(ModelChoiceField):
    def label_from_instance(self, obj: Shelter) -> str:
        return str(obj.name)


class TransferForm(VersionedForm):
    shelter = ShelterChoiceField(
        label=_("Shelter to transfer to"), queryset=Shelter.objects.none(), to_field_name="code"
    )
    note = forms.CharField(label=_("Reason"), required=False, max_length=300)

    def __init__(self, *args: Any, shelters: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if shelters is not None:
            field = self.fields["shelter"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = shelters


class DischargeForm(VersionedForm):
    destination = forms.ChoiceField(
        label=_("Destination"),
        choices=[(d.value, d.label) for d in Destination if d in DISCHARGE_DESTINATIONS],
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class ShelterForm(VersionedForm):
    duty_phone = forms.CharField(label=_("Duty officer phone"), required=False, max_length=30)
    address = forms.CharField(
        label=_("Address"), required=False, max_length=500, widget=forms.Textarea({"rows": 2})
    )


class UnitForm(StyledForm):
    """A unit's name and eligibility (the fields of ``Unit``); ``version`` when editing."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(label=_("Name of the unit"), max_length=60)
    sex = forms.ChoiceField(
        label=_("Sex accepted"),
        choices=SexAccepted.choices,
        help_text=_("Who may be placed in the beds of this unit."),
    )
    accepts_children = forms.BooleanField(label=_("Children (under 12)"), required=False)
    accepts_adolescents = forms.BooleanField(label=_("Adolescents (12 to 17)"), required=False)
    accepts_adults = forms.BooleanField(
        label=_("Adults (18 and over)"), required=False, initial=True
    )
    accepts_mothers_with_children = forms.BooleanField(
        label=_("Mothers with their children"),
        required=False,
        help_text=_("Mothers stay here with their children; add cots for infants."),
    )
    wheelchair_accessible = forms.BooleanField(label=_("Wheelchair accessible"), required=False)
    languages = LanguagesField(label=_("Languages spoken by the staff"), initial=["ar"])
    security_level = forms.TypedChoiceField(
        label=_("Security level"),
        choices=SecurityLevel.choices,
        coerce=int,
        initial=SecurityLevel.STANDARD,
        help_text=_("A person who needs more security than the unit offers is never placed here."),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An edit must say which version it was read at (optimistic locking).
        self.fields["version"].required = editing

    def clean_languages(self) -> str:
        value: str = self.cleaned_data.get("languages") or ""
        wrong = invalid_languages(value)
        if wrong:
            raise forms.ValidationError(
                _("Not a language code: %(codes)s. Use codes such as ar, en, am."),
                params={"codes": ", ".join(wrong)},
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (
            data.get("accepts_children")
            or data.get("accepts_adolescents")
            or data.get("accepts_adults")
        ):
            self.add_error(
                "accepts_adults", _("Choose at least one age group that the unit receives.")
            )
        return data

    def eligibility(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class AddBedsForm(StyledForm):
    beds = forms.IntegerField(
        label=_("Beds"), min_value=0, max_value=MAX_BEDS_AT_ONCE, initial=1, required=False
    )
    cots = forms.IntegerField(
        label=_("Cots (infants)"),
        min_value=0,
        max_value=MAX_BEDS_AT_ONCE,
        initial=0,
        required=False,
        help_text=_("Cots are for infants staying with their mothers."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        beds = data.get("beds") or 0
        cots = data.get("cots") or 0
        data["beds"], data["cots"] = beds, cots
        if not self.errors and beds + cots < 1:
            raise forms.ValidationError(_("Add at least one bed or cot."))
        if beds + cots > MAX_BEDS_AT_ONCE:
            raise forms.ValidationError(
                _("Add at most %(count)s beds and cots at a time."),
                params={"count": MAX_BEDS_AT_ONCE},
            )
        return data
