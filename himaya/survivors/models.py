"""Survivors: the only app that holds identifying data.

Identifying values are encrypted at rest (``EncryptedTextField``); their normalised,
keyed digests (blind indexes) allow exact search and duplicate blocking without
decryption. Sex, birth year, nationality and governorate of origin stay in clear,
because the indicators need them. A survivor is known everywhere by a random code.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from himaya.agencies.models import Agency, Governorate
from himaya.core.fields import BlindIndexField, EncryptedTextField
from himaya.core.models import PublicCodeModel, TimeStampedModel, VersionedModel


class Sex(models.TextChoices):
    FEMALE = "female", pgettext_lazy("sex", "Female")
    MALE = "male", pgettext_lazy("sex", "Male")
    OTHER = "other", pgettext_lazy("sex", "Other")
    UNKNOWN = "unknown", pgettext_lazy("sex", "Not known")


class MigrationStatus(models.TextChoices):
    """The survivor's migration and protection status in Egypt, as known to the worker."""

    REGULAR = "regular", _("Regular migrant")
    IRREGULAR = "irregular", _("Irregular migrant")
    ASYLUM_SEEKER = "asylum_seeker", _("Asylum seeker")
    REFUGEE = "refugee", _("Refugee")
    STATELESS = "stateless", _("Stateless person")
    NOT_KNOWN = "not_known", pgettext_lazy("migration status", "Not known")


class Survivor(PublicCodeModel, VersionedModel):
    CODE_PREFIX = "SV"

    # Identifying data: encrypted.
    name_ar = EncryptedTextField(_("name in Arabic script"), blank=True)
    name_latin = EncryptedTextField(_("name in Latin script"), blank=True)
    aliases = EncryptedTextField(_("other names and aliases"), blank=True)
    date_of_birth = EncryptedTextField(_("date of birth"), blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    family_contact = EncryptedTextField(_("family contact"), blank=True)
    # Blind indexes for exact search without decryption.
    name_ar_index = BlindIndexField()
    name_latin_index = BlindIndexField()
    # Clear data that the indicators need.
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    age_is_estimated = models.BooleanField(_("age is estimated"), default=False)
    nationality = models.CharField(
        _("nationality"), max_length=2, help_text=_("ISO 3166 country code."), default="EG"
    )
    governorate_of_origin = models.ForeignKey(
        Governorate,
        verbose_name=_("governorate of origin"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    languages = models.CharField(_("languages spoken"), max_length=200, blank=True)
    has_disability = models.BooleanField(_("has a disability"), default=False)
    # Migration and international protection: an asylum seeker or a refugee is never
    # disclosed to any embassy (``referrals.rules.embassy_refusal``).
    migration_status = models.CharField(
        _("migration status"),
        max_length=20,
        choices=MigrationStatus.choices,
        default=MigrationStatus.NOT_KNOWN,
        help_text=_(
            "Asylum seekers and refugees are never disclosed to any embassy, whatever the consent."
        ),
    )
    unhcr_registered = models.BooleanField(
        _("registered with UNHCR"),
        default=False,
        help_text=_("Registered with the UN Refugee Agency as an asylum seeker or a refugee."),
    )
    unhcr_reference = EncryptedTextField(_("UNHCR reference number"), blank=True)
    registered_by_agency = models.ForeignKey(
        Agency,
        verbose_name=_("registered by agency"),
        on_delete=models.PROTECT,
        related_name="registered_survivors",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    # A child's situation (``rules.is_presumed_child``): both flags are kept apart.
    unaccompanied = models.BooleanField(
        _("unaccompanied child"),
        default=False,
        help_text=_(
            "A child separated from both parents and from any other relative, and not cared "
            "for by an adult who by law or custom is responsible for doing so."
        ),
    )
    separated = models.BooleanField(
        _("separated child"),
        default=False,
        help_text=_(
            "A child separated from both parents or from a previous legal or customary "
            "caregiver, but not necessarily from other relatives."
        ),
    )

    class Meta:
        verbose_name = _("survivor")
        verbose_name_plural = _("survivors")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(birth_year__isnull=True)
                | models.Q(birth_year__gte=1900, birth_year__lte=2100),
                name="survivor_birth_year_plausible",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    migration_status__in=[
                        "regular",
                        "irregular",
                        "asylum_seeker",
                        "refugee",
                        "stateless",
                        "not_known",
                    ]
                ),
                name="survivor_migration_status_known",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class ConsentPurpose(models.TextChoices):
    CARE = "care", _("Care and case management")
    REFERRAL = "referral", _("Referral to a named agency")
    EMBASSY = "embassy", _("Sharing with an embassy")
    STATISTICS = "statistics", _("Anonymous data for statistics")


class ChildAssent(models.TextChoices):
    """A child's own say, recorded apart from the guardian's consent."""

    GIVEN = "given", _("The child assented")
    REFUSED = "refused", _("The child refused")
    NOT_ASKED = "not_asked", _("The child was not asked")
    NOT_APPLICABLE = "", _("Not a child")


class Consent(VersionedModel):
    """The survivor's consent for one purpose (and, where it applies, one recipient).

    For a presumed child the guardian consents (``guardian``, ``guardian_consented_on``)
    and the child's own assent is recorded apart (``child_assent``, with the reason when
    the child was not asked).
    """

    survivor = models.ForeignKey(
        Survivor, verbose_name=_("survivor"), on_delete=models.PROTECT, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    recipient = models.ForeignKey(
        Agency,
        verbose_name=_("recipient agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    given_on = models.DateField(_("given on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    guardian = models.ForeignKey(
        "GuardianAppointment",
        verbose_name=_("guardian who consented"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
    )
    guardian_consented_on = models.DateField(_("guardian consented on"), null=True, blank=True)
    child_assent = models.CharField(
        _("the child's assent"),
        max_length=10,
        choices=ChildAssent.choices,
        default=ChildAssent.NOT_APPLICABLE,
        blank=True,
    )
    child_assent_reason = models.CharField(
        _("why the child was not asked"), max_length=300, blank=True
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True)
                | models.Q(withdrawn_on__gte=models.F("given_on")),
                name="consent_withdrawn_after_given",
            ),
            models.CheckConstraint(
                condition=models.Q(purpose__in=["care", "referral", "embassy", "statistics"]),
                name="consent_purpose_known",
            ),
            models.CheckConstraint(
                condition=models.Q(child_assent__in=["given", "refused", "not_asked", ""]),
                name="consent_child_assent_known",
            ),
            models.CheckConstraint(
                condition=models.Q(guardian__isnull=True, guardian_consented_on__isnull=True)
                | models.Q(guardian__isnull=False, guardian_consented_on__isnull=False),
                name="consent_guardian_with_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survivor.code} · {self.get_purpose_display()}"


class DocumentKind(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National identity card")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    OTHER = "other", _("Other document")


class SurvivorDocument(VersionedModel):
    """An identity document of a survivor: the number is encrypted, with a blind index."""

    survivor = models.ForeignKey(
        Survivor, verbose_name=_("survivor"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("kind of document"), max_length=20, choices=DocumentKind.choices)
    number = EncryptedTextField(_("document number"))
    number_index = BlindIndexField()
    issuing_country = models.CharField(
        _("issuing country"), max_length=2, blank=True, help_text=_("ISO 3166 country code.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=["passport", "national_id", "residence_permit", "other"]
                ),
                name="survivor_document_kind_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(number_index=""), name="survivor_document_indexed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survivor.code} · {self.get_kind_display()}"


class DuplicateReason(models.TextChoices):
    DOCUMENT = "document", _("Same document number")
    NAME_AND_YEAR = "name_year", _("Same name and year of birth")


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("Waiting for review")
    DISTINCT = "distinct", _("Different people")
    CONFIRMED = "confirmed", _("Same person")


class PossibleDuplicate(VersionedModel):
    """A match found at registration with a survivor outside the registering agency's scope.

    The worker who registered is told only that a supervisor will review a possible match;
    the record waits here for that review.
    """

    TRANSITIONS: dict[str, frozenset[str]] = {
        ReviewStatus.OPEN: frozenset({ReviewStatus.DISTINCT, ReviewStatus.CONFIRMED}),
        ReviewStatus.DISTINCT: frozenset(),
        ReviewStatus.CONFIRMED: frozenset(),
    }

    survivor = models.ForeignKey(
        Survivor,
        verbose_name=_("survivor registered"),
        on_delete=models.PROTECT,
        related_name="possible_duplicates",
    )
    matched = models.ForeignKey(
        Survivor, verbose_name=_("survivor matched"), on_delete=models.PROTECT, related_name="+"
    )
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("found by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=DuplicateReason.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survivor", "matched"], name="possible_duplicate_pair_once"
            ),
            models.CheckConstraint(
                condition=~models.Q(survivor=models.F("matched")),
                name="possible_duplicate_two_survivors",
            ),
            models.CheckConstraint(
                condition=models.Q(reason__in=["document", "name_year"]),
                name="possible_duplicate_reason_known",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open", decided_at__isnull=True)
                | models.Q(status__in=["distinct", "confirmed"], decided_at__isnull=False),
                name="possible_duplicate_decided_when_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survivor.code} ~ {self.matched.code}"


class SurvivorAccess(models.Model):
    """Which agencies' case workers and supervisors see a survivor: the scope, kept as rows.

    An agency has a row for every survivor of a case it leads, and for every survivor it
    registered that has no case yet. The rows are derived from the survivors and their
    cases by ``actions.sync_survivor_access``, which every write that registers a survivor,
    opens a case or changes a lead agency calls; ``survivors_visible_to`` reads them
    through the index on (agency, survivor).
    """

    # The unique pair below is the index (agency, survivor) that scoped reads use.
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    survivor = models.ForeignKey(
        Survivor, verbose_name=_("survivor"), on_delete=models.CASCADE, related_name="access"
    )

    class Meta:
        verbose_name = _("access to a survivor")
        verbose_name_plural = _("access to survivors")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "survivor"], name="survivor_access_once_per_agency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} → {self.survivor_id}"


class SurvivorSearchToken(models.Model):
    """One keyed search token of a survivor: a name word or its beginning, its phonetic
    key, a phone number or its last digits, or an ending of the public code.

    ``token`` is a keyed digest (HMAC-SHA256 under the blind index key, one family per
    ``kind``, cut to 128 bits): the table holds no name, number or word in clear.
    """

    # The unique pair (survivor, token) below indexes the survivor's tokens.
    survivor = models.ForeignKey(
        Survivor,
        verbose_name=_("survivor"),
        on_delete=models.CASCADE,
        related_name="search_tokens",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=10)
    token = models.CharField(_("token"), max_length=32)

    class Meta:
        verbose_name = _("search token")
        verbose_name_plural = _("search tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["survivor", "token"], name="survivor_search_token_once"
            ),
        ]
        indexes = [
            # Equality on the token answers the survivors from the index alone.
            models.Index(fields=["token", "survivor"], name="survivor_search_token_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.survivor_id} · {self.kind}"


class AgeAssessmentMethod(models.TextChoices):
    DOCUMENTS = "documents", _("Documents")
    MEDICAL = "medical", _("Medical examination")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial interview")
    OTHER = "other", _("Other method")


class AgeAssessment(TimeStampedModel):
    """An assessment of a survivor's age. Until one says adult, a survivor of unknown age
    or estimated under eighteen is presumed a child (``rules.is_presumed_child``)."""

    survivor = models.ForeignKey(
        Survivor,
        verbose_name=_("survivor"),
        on_delete=models.PROTECT,
        related_name="age_assessments",
    )
    method = models.CharField(
        _("method of assessment"), max_length=20, choices=AgeAssessmentMethod.choices
    )
    assessed_on = models.DateField(_("assessed on"))
    is_adult = models.BooleanField(_("assessed as an adult"))
    estimated_age = models.PositiveSmallIntegerField(
        _("estimated age (years)"), null=True, blank=True
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("age assessment")
        verbose_name_plural = _("age assessments")
        ordering = ["-assessed_on", "-id"]
        indexes = [
            models.Index(fields=["survivor", "-assessed_on", "-id"], name="age_assessment_latest")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(method__in=["documents", "medical", "psychosocial", "other"]),
                name="age_assessment_method_known",
            ),
            models.CheckConstraint(
                condition=models.Q(estimated_age__isnull=True)
                | models.Q(is_adult=True, estimated_age__gte=18, estimated_age__lte=120)
                | models.Q(is_adult=False, estimated_age__lt=18),
                name="age_assessment_result_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survivor.code} · {self.get_method_display()}"


class GuardianKind(models.TextChoices):
    LEGAL_GUARDIAN = "legal_guardian", _("Legal guardian")
    COURT_REPRESENTATIVE = "court_representative", _("Court-appointed representative")
    CHILD_PROTECTION_COMMITTEE = (
        "child_protection_committee",
        _("Member of a child protection committee"),
    )
    OTHER = "other", _("Other guardian")


class GuardianAppointment(VersionedModel):
    """A guardian appointed for a child survivor, from ``appointed_on`` until ``ended_on``.

    The guardian's name is identifying data and is encrypted like the survivor's own.
    """

    survivor = models.ForeignKey(
        Survivor,
        verbose_name=_("survivor"),
        on_delete=models.PROTECT,
        related_name="guardian_appointments",
    )
    guardian_name = EncryptedTextField(_("name of the guardian"))
    kind = models.CharField(_("kind of guardian"), max_length=30, choices=GuardianKind.choices)
    appointing_agency = models.ForeignKey(
        Agency,
        verbose_name=_("appointing agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    appointing_body = models.CharField(
        _("appointing body"),
        max_length=200,
        blank=True,
        help_text=_("The court or committee that appointed the guardian, when not an agency."),
    )
    appointed_on = models.DateField(_("appointed on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("guardian appointment")
        verbose_name_plural = _("guardian appointments")
        ordering = ["-appointed_on", "-id"]
        indexes = [
            models.Index(fields=["survivor", "-appointed_on"], name="guardian_by_survivor"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "legal_guardian",
                        "court_representative",
                        "child_protection_committee",
                        "other",
                    ]
                ),
                name="guardian_kind_known",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("appointed_on")),
                name="guardian_ended_after_appointed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survivor.code} · {self.get_kind_display()}"


class BestInterestsRecommendation(models.TextChoices):
    STAY_IN_CARE = "stay_in_care", _("Continue care and protection where the child is")
    FAMILY_TRACING = "family_tracing", _("Trace the family before any decision")
    DETERMINATION = "determination", _("Refer to a best-interests determination panel")
    CLOSE_CASE = "close_case", _("The case may be closed")
    OTHER = "other", _("Other recommendation")


class BestInterestsAssessment(VersionedModel):
    """An assessment of a child survivor's best interests, by a case worker."""

    survivor = models.ForeignKey(
        Survivor,
        verbose_name=_("survivor"),
        on_delete=models.PROTECT,
        related_name="best_interests_assessments",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    summary = EncryptedTextField(_("summary of the assessment"))
    child_views_heard = models.BooleanField(_("the child's views were heard"))
    recommendation = models.CharField(
        _("recommendation"), max_length=20, choices=BestInterestsRecommendation.choices
    )

    class Meta:
        verbose_name = _("best-interests assessment")
        verbose_name_plural = _("best-interests assessments")
        ordering = ["-assessed_on", "-id"]
        indexes = [
            models.Index(fields=["survivor", "-assessed_on"], name="bia_by_survivor"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    recommendation__in=[
                        "stay_in_care",
                        "family_tracing",
                        "determination",
                        "close_case",
                        "other",
                    ]
                ),
                name="bia_recommendation_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survivor.code} · {self.assessed_on.isoformat()}"


class DurableSolution(models.TextChoices):
    LOCAL_INTEGRATION = "local_integration", _("Local integration")
    RETURN = "return", _("Return to the country or governorate of origin")
    RESETTLEMENT = "resettlement", _("Resettlement in a third country")
    OTHER = "other", _("Other durable solution")


class DeterminationDecision(models.TextChoices):
    IN_FAVOUR = "in_favour", _("In favour of the durable solution")
    AGAINST = "against", _("Against the durable solution")
    DEFERRED = "deferred", _("Deferred for more information")


class BestInterestsDetermination(VersionedModel):
    """A panel's formal determination of a child survivor's best interests and of the
    durable solution (at least ``BEST_INTERESTS_PANEL_MINIMUM`` members)."""

    survivor = models.ForeignKey(
        Survivor,
        verbose_name=_("survivor"),
        on_delete=models.PROTECT,
        related_name="best_interests_determinations",
    )
    decided_on = models.DateField(_("decided on"))
    panel_members = models.TextField(
        _("panel members"), help_text=_("One member per line: name and function.")
    )
    panel_size = models.PositiveSmallIntegerField(_("number of panel members"))
    durable_solution = models.CharField(
        _("durable solution"), max_length=20, choices=DurableSolution.choices
    )
    decision = models.CharField(_("decision"), max_length=20, choices=DeterminationDecision.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("best-interests determination")
        verbose_name_plural = _("best-interests determinations")
        ordering = ["-decided_on", "-id"]
        indexes = [
            models.Index(fields=["survivor", "-decided_on"], name="bid_by_survivor"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    durable_solution__in=["local_integration", "return", "resettlement", "other"]
                ),
                name="bid_durable_solution_known",
            ),
            models.CheckConstraint(
                condition=models.Q(decision__in=["in_favour", "against", "deferred"]),
                name="bid_decision_known",
            ),
            models.CheckConstraint(condition=models.Q(panel_size__gte=1), name="bid_has_panel"),
        ]

    def __str__(self) -> str:
        return f"{self.survivor.code} · {self.decided_on.isoformat()}"


class SurvivorMatchKey(models.Model):
    """One blocking key of a survivor for duplicate detection (``rules.match_keys``): a
    pair of name parts, a name part with a window of the birth year, a document or a
    phone number, as a keyed digest (HMAC-SHA256 under the blind index key, cut to 128
    bits). Survivors sharing a key are compared; the table holds nothing in clear."""

    survivor = models.ForeignKey(
        Survivor,
        verbose_name=_("survivor"),
        on_delete=models.CASCADE,
        related_name="match_keys",
        db_index=False,
    )
    key = models.CharField(_("key"), max_length=32)

    class Meta:
        verbose_name = _("match key")
        verbose_name_plural = _("match keys")
        constraints = [
            models.UniqueConstraint(fields=["survivor", "key"], name="survivor_match_key_once"),
        ]
        indexes = [models.Index(fields=["key", "survivor"], name="survivor_match_key_idx")]

    def __str__(self) -> str:
        return f"{self.survivor_id} · {self.key[:8]}"
