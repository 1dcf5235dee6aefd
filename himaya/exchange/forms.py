"""Forms of the exchange app: a case's trafficking details, the export, the tables."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.cases.models import Case, LabourSector, MeansOfControl, RecruiterRelationship
from himaya.core.forms import StyledForm, VersionedForm
from himaya.exchange.actions import FORMATS, LAYOUTS, MAX_K
from himaya.exchange.rules import TABLE_NAMES
from himaya.exchange.selectors import SOURCES

ABDUCTION_CHOICES = [("", _("Not known")), ("yes", _("Yes")), ("no", _("No"))]


class TraffickingDetailsForm(VersionedForm):
    means_of_control = forms.MultipleChoiceField(
        label=_("Means of control"),
        choices=MeansOfControl.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "How the exploiters controlled the person. Answers of the screening propose "
            "some; keep only what the survivor or the evidence shows."
        ),
    )
    labour_sector = forms.ChoiceField(
        label=_("Sector of forced labour"),
        choices=[("", _("None or not known")), *LabourSector.choices],
        required=False,
        help_text=_("The economic sector of the forced labour (ISIC section), if any."),
    )
    recruiter_relationship = forms.ChoiceField(
        label=_("Relationship to the recruiter"),
        choices=[("", "—"), *RecruiterRelationship.choices],
        required=False,
        help_text=_("Who first recruited the person, as the person relates to them."),
    )
    was_abducted = forms.ChoiceField(
        label=_("Abducted"),
        choices=ABDUCTION_CHOICES,
        required=False,
        help_text=_("Whether the person entered the situation by abduction."),
    )
    age_at_recruitment = forms.IntegerField(
        label=_("Age at recruitment"),
        min_value=0,
        max_value=120,
        required=False,
        help_text=_("The person's age in years when recruited."),
    )
    age_at_exploitation = forms.IntegerField(
        label=_("Age when the exploitation began"),
        min_value=0,
        max_value=120,
        required=False,
        help_text=_("The person's age in years when the exploitation began."),
    )
    exploitation_months = forms.IntegerField(
        label=_("Duration of exploitation (months)"),
        min_value=0,
        max_value=1200,
        required=False,
        help_text=_("How long the exploitation lasted, in whole months."),
    )
    place_of_recruitment = forms.CharField(
        label=_("Place of recruitment"),
        max_length=120,
        required=False,
        help_text=_("The town or district where the person was recruited (never exported)."),
    )
    country_of_recruitment = forms.CharField(
        label=_("Country of recruitment"),
        max_length=2,
        required=False,
        help_text=_("ISO 3166 country code."),
    )

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["means_of_control"] = list(data.get("means_of_control") or [])
        data["was_abducted"] = {"yes": True, "no": False}.get(data.get("was_abducted") or "")
        return data

    @classmethod
    def initial_for(cls, case: Case, means: list[str], abducted: bool | None) -> dict[str, Any]:
        """The case's values; where it has none yet, what its screening proposes."""
        was = case.was_abducted if case.was_abducted is not None else abducted
        return {
            "version": case.version,
            "means_of_control": case.means_of_control or means,
            "labour_sector": case.labour_sector,
            "recruiter_relationship": case.recruiter_relationship,
            "was_abducted": "" if was is None else ("yes" if was else "no"),
            "age_at_recruitment": case.age_at_recruitment,
            "age_at_exploitation": case.age_at_exploitation,
            "exploitation_months": case.exploitation_months,
            "place_of_recruitment": case.place_of_recruitment,
            "country_of_recruitment": case.country_of_recruitment,
        }


class ExportForm(StyledForm):
    layout = forms.ChoiceField(
        label=_("Layout"),
        choices=[("ctdc", _("CTDC (codebook v6)")), ("htcds", _("IOM HTCDS"))],
    )
    format = forms.ChoiceField(label=_("File"), choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    k = forms.IntegerField(
        label=_("k (smallest group published)"),
        min_value=2,
        max_value=MAX_K,
        initial=11,
        help_text=_("Every combination of quasi-identifiers appears at least k times."),
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=300,
        help_text=_("Why the data are exported; kept in the audit trail."),
    )
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput,
        max_length=200,
        help_text=_("Sign in again to confirm a bulk export."),
    )

    def clean_layout(self) -> str:
        value = str(self.cleaned_data["layout"])
        assert value in LAYOUTS
        return value

    def clean_format(self) -> str:
        value = str(self.cleaned_data["format"])
        assert value in FORMATS
        return value


class TableForm(StyledForm):
    name = forms.ChoiceField(
        label=_("Table"), choices=[(n, n) for n in TABLE_NAMES], required=False
    )
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[("himaya", _("Himaya's records")), ("ctdc", _("Imported CTDC data"))],
        required=False,
    )

    def clean_source(self) -> str:
        value = str(self.cleaned_data.get("source") or "himaya")
        return value if value in SOURCES else "himaya"
