"""Shelters, their units and beds, stays of survivors, and daily occupancy.

A shelter is run by one agency of kind "shelter" (its operator). Each unit (room) says
whom it can receive; nationality is never part of that: shelters receive Egyptians and
foreigners alike. A stay puts one person in one bed; a person is never in two beds and
a bed never holds two people (partial unique constraints on open stays).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from himaya.agencies.models import Agency, Governorate
from himaya.cases.models import Case
from himaya.core.fields import EncryptedTextField
from himaya.core.models import PublicCodeModel, VersionedModel
from himaya.survivors.models import Survivor


class GovernorateCentroid(models.Model):
    """Where a governorate's capital lies, to order shelters by distance."""

    governorate = models.OneToOneField(
        Governorate,
        verbose_name=_("governorate"),
        on_delete=models.CASCADE,
        related_name="centroid",
    )
    capital_en = models.CharField(_("capital in English"), max_length=100)
    capital_ar = models.CharField(_("capital in Arabic"), max_length=100)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=4)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=4)

    class Meta:
        verbose_name = _("governorate centroid")
        verbose_name_plural = _("governorate centroids")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="centroid_coordinates_in_range",
            )
        ]

    def __str__(self) -> str:
        return self.governorate.code


class Shelter(PublicCodeModel, VersionedModel):
    CODE_PREFIX = "SH"

    agency = models.OneToOneField(
        Agency,
        verbose_name=_("operator agency"),
        on_delete=models.PROTECT,
        related_name="shelter",
        limit_choices_to={"kind": "shelter"},
    )
    governorate = models.ForeignKey(
        Governorate, verbose_name=_("governorate"), on_delete=models.PROTECT, related_name="+"
    )
    address = EncryptedTextField(_("address"), blank=True)
    duty_phone = models.CharField(_("duty officer phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("shelter")
        verbose_name_plural = _("shelters")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        return self.agency.name


class SexAccepted(models.TextChoices):
    FEMALE = "female", _("Women and girls")
    MALE = "male", _("Men and boys")
    ANY = "any", _("Any sex")


class SecurityLevel(models.IntegerChoices):
    STANDARD = 1, pgettext_lazy("security level", "Standard")
    ENHANCED = 2, pgettext_lazy("security level", "Enhanced")
    HIGH = 3, pgettext_lazy("security level", "High")


class Unit(VersionedModel):
    """A room (or wing) of a shelter, with the eligibility of the people it receives."""

    shelter = models.ForeignKey(
        Shelter, verbose_name=_("shelter"), on_delete=models.PROTECT, related_name="units"
    )
    label = models.CharField(_("name"), max_length=60)
    sex = models.CharField(
        _("sex accepted"), max_length=10, choices=SexAccepted.choices, default=SexAccepted.FEMALE
    )
    accepts_children = models.BooleanField(_("children (under 12)"), default=False)
    accepts_adolescents = models.BooleanField(_("adolescents (12 to 17)"), default=False)
    accepts_adults = models.BooleanField(_("adults (18 and over)"), default=True)
    accepts_mothers_with_children = models.BooleanField(
        _("mothers with their children"), default=False
    )
    wheelchair_accessible = models.BooleanField(_("wheelchair accessible"), default=False)
    languages = models.CharField(
        _("languages spoken"),
        max_length=60,
        default="ar",
        help_text=_("ISO 639-1 codes separated by commas, for example ar,en,am."),
    )
    security_level = models.PositiveSmallIntegerField(
        _("security level"), choices=SecurityLevel.choices, default=SecurityLevel.STANDARD
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["shelter_id", "label"]
        constraints = [
            models.UniqueConstraint(fields=["shelter", "label"], name="unit_label_unique"),
            models.CheckConstraint(
                condition=Q(accepts_children=True)
                | Q(accepts_adolescents=True)
                | Q(accepts_adults=True),
                name="unit_accepts_some_age_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shelter.code} · {self.label}"


class BedKind(models.TextChoices):
    BED = "bed", _("Bed")
    COT = "cot", _("Cot (infant)")


class Bed(models.Model):
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="beds"
    )
    label = models.CharField(_("name"), max_length=20)
    kind = models.CharField(_("kind"), max_length=5, choices=BedKind.choices, default=BedKind.BED)
    is_active = models.BooleanField(_("in service"), default=True)

    class Meta:
        verbose_name = _("bed")
        verbose_name_plural = _("beds")
        ordering = ["unit_id", "kind", "label"]
        constraints = [models.UniqueConstraint(fields=["unit", "label"], name="bed_label_unique")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.label}"


class StayStatus(models.TextChoices):
    OPEN = "open", _("In the shelter")
    TRANSFERRED = "transferred", _("Transferred")
    DISCHARGED = "discharged", _("Discharged")


# An open stay ends once, by transfer or discharge.
TRANSITIONS: dict[str, frozenset[str]] = {
    StayStatus.OPEN: frozenset({StayStatus.TRANSFERRED, StayStatus.DISCHARGED}),
    StayStatus.TRANSFERRED: frozenset(),
    StayStatus.DISCHARGED: frozenset(),
}


class Destination(models.TextChoices):
    FAMILY = "family", _("Return to family")
    INDEPENDENT = "independent", _("Independent living")
    REPATRIATION = "repatriation", _("Repatriation to country of origin")
    OTHER_SERVICE = "other_service", _("Another service")
    TRANSFER = "transfer", _("Another shelter")


class Stay(PublicCodeModel, VersionedModel):
    """One person in one bed, from admission to transfer or discharge.

    The survivor's own stay has ``survivor`` and ``case``; a child accompanying the
    survivor has a stay of its own in a cot or bed of the same unit, with ``companion_of``
    pointing at the survivor's stay and no survivor record (``companion_birth_year`` only).
    """

    CODE_PREFIX = "ST"

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="shelter_stays"
    )
    survivor = models.ForeignKey(
        Survivor,
        verbose_name=_("survivor"),
        on_delete=models.PROTECT,
        related_name="shelter_stays",
        null=True,
        blank=True,
    )
    companion_of = models.ForeignKey(
        "self",
        verbose_name=_("accompanying"),
        on_delete=models.PROTECT,
        related_name="companions",
        null=True,
        blank=True,
    )
    companion_birth_year = models.PositiveSmallIntegerField(
        _("child's year of birth"), null=True, blank=True
    )
    bed = models.ForeignKey(
        Bed, verbose_name=_("bed"), on_delete=models.PROTECT, related_name="stays"
    )
    shelter = models.ForeignKey(
        Shelter, verbose_name=_("shelter"), on_delete=models.PROTECT, related_name="stays"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=StayStatus.choices, default=StayStatus.OPEN
    )
    admitted_on = models.DateField(_("admitted on"), db_index=True)
    planned_nights = models.PositiveSmallIntegerField(_("planned length (nights)"), default=30)
    admitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("admitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_on = models.DateField(_("left on"), null=True, blank=True, db_index=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    destination = models.CharField(
        _("destination"), max_length=20, choices=Destination.choices, blank=True
    )
    transferred_from = models.OneToOneField(
        "self",
        verbose_name=_("transferred from"),
        on_delete=models.PROTECT,
        related_name="transferred_to",
        null=True,
        blank=True,
    )
    nights = models.PositiveIntegerField(_("nights stayed"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("stay")
        verbose_name_plural = _("stays")
        ordering = ["-admitted_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bed"], condition=Q(status="open"), name="stay_one_open_per_bed"
            ),
            models.UniqueConstraint(
                fields=["survivor"],
                condition=Q(status="open") & Q(survivor__isnull=False),
                name="stay_one_open_per_survivor",
            ),
            models.CheckConstraint(
                condition=(Q(survivor__isnull=False) & Q(companion_of__isnull=True))
                | (Q(survivor__isnull=True) & Q(companion_of__isnull=False)),
                name="stay_survivor_or_companion",
            ),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(ended_on__isnull=True))
                | (~Q(status="open") & Q(ended_on__isnull=False)),
                name="stay_ended_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("admitted_on")),
                name="stay_ends_after_admission",
            ),
            models.CheckConstraint(
                condition=Q(planned_nights__gte=1), name="stay_planned_at_least_one_night"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class DailyOccupancy(models.Model):
    """Beds and occupants of a shelter (``unit`` empty) or of one unit, on one night."""

    on = models.DateField(_("night of"), db_index=True)
    shelter = models.ForeignKey(
        Shelter, verbose_name=_("shelter"), on_delete=models.CASCADE, related_name="occupancy"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="occupancy",
        null=True,
        blank=True,
    )
    beds = models.PositiveIntegerField(_("beds in service"))
    occupied = models.PositiveIntegerField(_("beds occupied"))
    survivors = models.PositiveIntegerField(_("survivors"))
    children = models.PositiveIntegerField(_("accompanying children"))

    class Meta:
        verbose_name = _("daily occupancy")
        verbose_name_plural = _("daily occupancy")
        ordering = ["-on", "shelter_id", "unit_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["on", "shelter"],
                condition=Q(unit__isnull=True),
                name="occupancy_one_per_shelter_day",
            ),
            models.UniqueConstraint(
                fields=["on", "unit"],
                condition=Q(unit__isnull=False),
                name="occupancy_one_per_unit_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.shelter.code}"
