"""Services delivered to survivors: a bilingual catalogue, deliveries and feedback."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from himaya.agencies.models import Agency
from himaya.cases.models import CarePlanGoal, Case
from himaya.core.models import BilingualNamed, PublicCodeModel, VersionedModel


class ServiceType(BilingualNamed):
    """A kind of service in the catalogue, loaded from data/service_types.csv."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    description_en = models.CharField(_("description in English"), max_length=300, blank=True)
    description_ar = models.CharField(_("description in Arabic"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("service type")
        verbose_name_plural = _("service types")


class DeliveryStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


TRANSITIONS: dict[str, frozenset[str]] = {
    DeliveryStatus.PLANNED: frozenset({DeliveryStatus.DELIVERED, DeliveryStatus.CANCELLED}),
    DeliveryStatus.DELIVERED: frozenset(),
    DeliveryStatus.CANCELLED: frozenset(),
}


class InterpreterProvider(models.TextChoices):
    STAFF = "staff", _("Agency staff")
    EXTERNAL = "external", _("External interpreter")
    NONE_AVAILABLE = "none_available", _("None available")


class InterpreterSex(models.TextChoices):
    FEMALE = "female", pgettext_lazy("interpreter", "Woman")
    MALE = "male", pgettext_lazy("interpreter", "Man")


class ServiceDelivery(PublicCodeModel, VersionedModel):
    CODE_PREFIX = "SD"

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="service_deliveries"
    )
    service_type = models.ForeignKey(
        ServiceType,
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    provider = models.ForeignKey(
        Agency,
        verbose_name=_("provider agency"),
        on_delete=models.PROTECT,
        related_name="service_deliveries",
    )
    goal = models.ForeignKey(
        CarePlanGoal,
        verbose_name=_("care plan goal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_deliveries",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PLANNED,
        db_index=True,
    )
    planned_on = models.DateField(_("planned for"))
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("planned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Interpretation: whether the survivor needed an interpreter, in which language, and
    # who interpreted.
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    interpreter_language = models.CharField(
        _("language interpreted"),
        max_length=8,
        blank=True,
        help_text=_("ISO 639-1 code of the language the survivor speaks."),
    )
    interpreter_provided_by = models.CharField(
        _("interpreter provided by"),
        max_length=16,
        choices=InterpreterProvider.choices,
        blank=True,
    )
    interpreter_sex = models.CharField(
        _("interpreter's sex"), max_length=8, choices=InterpreterSex.choices, blank=True
    )

    class Meta:
        ordering = ["planned_on", "id"]
        verbose_name = _("service delivery")
        verbose_name_plural = _("service deliveries")
        # The daily indicators read these records by day (see monitoring/indicators.py).
        indexes = [models.Index(fields=["status", "delivered_on"], name="delivery_status_day_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(status="delivered") & models.Q(delivered_on__isnull=False))
                | (~models.Q(status="delivered") & models.Q(delivered_on__isnull=True)),
                name="delivery_delivered_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(interpreter_needed=True)
                | (
                    models.Q(interpreter_language="")
                    & models.Q(interpreter_provided_by="")
                    & models.Q(interpreter_sex="")
                ),
                name="delivery_interpreter_only_when_needed",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_editable(self) -> bool:
        """Only a planned service is re-planned, delivered or cancelled."""
        return self.status == DeliveryStatus.PLANNED


class FeedbackRecorder(models.TextChoices):
    SURVIVOR = "survivor", _("By the survivor")
    STAFF = "staff", _("By staff, for the survivor")


class ServiceFeedback(PublicCodeModel, VersionedModel):
    """The survivor's rating of a delivered service; reported only in aggregate."""

    CODE_PREFIX = "FB"

    delivery = models.OneToOneField(
        ServiceDelivery,
        verbose_name=_("service delivery"),
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    recorded_as = models.CharField(
        _("recorded"),
        max_length=10,
        choices=FeedbackRecorder.choices,
        default=FeedbackRecorder.STAFF,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_on = models.DateField(_("recorded on"))

    class Meta:
        ordering = ["-recorded_on", "-id"]
        verbose_name = _("service feedback")
        verbose_name_plural = _("service feedback")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1) & models.Q(rating__lte=5),
                name="feedback_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.code
