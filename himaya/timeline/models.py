"""The case timeline: what happened to a case, in the order it happened, in both languages.

The timeline sits below survivors and cases so that every app, survivors included, can
write a line on a case's timeline without importing the app above it. Its table is the
one the cases app created (``cases_caseevent``); the model moved here unchanged.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    """Every kind of line a case's timeline holds: ``<app>.<event>``."""

    CASE_OPENED = "case.opened", _("Case opened")
    CASE_UPDATED = "case.updated", _("Case details updated")
    CASE_PHASE_CHANGED = "case.phase_changed", _("Phase changed")
    CASE_REASSIGNED = "case.reassigned", _("Case reassigned")
    CASE_RISK_ASSESSED = "case.risk_assessed", _("Risk assessed")
    CASE_RISK_UPDATED = "case.risk_updated", _("Risk assessment updated")
    CASE_CLOSURE_REQUESTED = "case.closure_requested", _("Closure requested")
    CASE_CLOSURE_APPROVED = "case.closure_approved", _("Closure approved")
    CASE_CLOSURE_REFUSED = "case.closure_refused", _("Closure refused")
    CASE_CLOSED = "case.closed", _("Case closed")
    CASE_IDENTIFICATION_DECIDED = (
        "case.identification_decided",
        _("Identification decision recorded"),
    )
    CASE_NOTE_ADDED = "case.note_added", _("Case note added")
    CASE_NOTE_REVISED = "case.note_revised", _("Case note revised")
    CASE_TRANSFER_PROPOSED = "case.transfer_proposed", _("Transfer to another agency proposed")
    CASE_TRANSFER_ACCEPTED = "case.transfer_accepted", _("Transfer accepted")
    CASE_TRANSFER_REFUSED = "case.transfer_refused", _("Transfer refused")
    CASE_TRANSFER_WITHDRAWN = "case.transfer_withdrawn", _("Transfer withdrawn")
    CASE_TECHNOLOGY_UPDATED = "case.technology_updated", _("Online platforms updated")
    CASE_DIGITAL_EVIDENCE_ADDED = (
        "case.digital_evidence_added",
        _("Digital evidence reference recorded"),
    )
    CARE_PLAN_CREATED = "care_plan.created", _("Care plan drafted")
    CARE_PLAN_UPDATED = "care_plan.updated", _("Care plan updated")
    CARE_PLAN_SUBMITTED = "care_plan.submitted", _("Care plan submitted")
    CARE_PLAN_APPROVED = "care_plan.approved", _("Care plan approved")
    CARE_PLAN_RETURNED = "care_plan.returned", _("Care plan returned")
    CARE_PLAN_GOAL_ADDED = "care_plan.goal_added", _("Care plan goal added")
    CARE_PLAN_GOAL_UPDATED = "care_plan.goal_updated", _("Care plan goal updated")
    SCREENING_RECORDED = "screening.recorded", _("Screening recorded")
    CONSENT_RECORDED = "survivor.consent_recorded", _("Consent recorded")
    CONSENT_WITHDRAWN = "survivor.consent_withdrawn", _("Consent withdrawn")
    GUARDIAN_APPOINTED = "survivor.guardian_appointed", _("Guardian appointed")
    GUARDIAN_ENDED = "survivor.guardian_ended", _("Guardian's appointment ended")
    BEST_INTERESTS_ASSESSED = "survivor.best_interests_assessed", _("Best interests assessed")
    BEST_INTERESTS_DETERMINED = (
        "survivor.best_interests_determined",
        _("Best interests determined"),
    )
    CHILD_FLAGS_CHANGED = "survivor.child_flags_changed", _("Child's situation updated")
    AGE_ASSESSED = "survivor.age_assessed", _("Age assessed")
    SERVICE_PLANNED = "service.planned", _("Service planned")
    SERVICE_DELIVERED = "service.delivered", _("Service delivered")
    SERVICE_CANCELLED = "service.cancelled", _("Service cancelled")
    SERVICE_REPLANNED = "service.replanned", _("Service re-planned")
    SERVICE_FEEDBACK = "service.feedback", _("Feedback on a service")
    REFERRAL_SENT = "referral.sent", _("Referral sent")
    REFERRAL_CONSENT_OVERRIDDEN = "referral.consent_overridden", _("Consent overridden")
    REFERRAL_ACCEPTED = "referral.accepted", pgettext_lazy("timeline", "Referral accepted")
    REFERRAL_DECLINED = "referral.declined", pgettext_lazy("timeline", "Referral declined")
    REFERRAL_COMPLETED = "referral.completed", pgettext_lazy("timeline", "Referral completed")
    REFERRAL_CANCELLED = "referral.cancelled", pgettext_lazy("timeline", "Referral cancelled")
    SHELTER_ADMITTED = "shelter.admitted", _("Admitted to a shelter")
    SHELTER_TRANSFERRED = "shelter.transferred", _("Transferred between shelters")
    SHELTER_DISCHARGED = "shelter.discharged", _("Discharged from a shelter")
    PAYMENT_REQUESTED = "fund.payment_requested", _("Assistance requested")
    PAYMENT_APPROVED = "fund.payment_approved", _("Assistance approved")
    PAYMENT_SECOND_APPROVAL = "fund.payment_second_approval", _("Second approval given")
    PAYMENT_REJECTED = "fund.payment_rejected", _("Assistance rejected")
    PAYMENT_PAID = "fund.payment_paid", _("Assistance paid")
    PAYMENT_REVERSED = "fund.payment_reversed", _("Payment reversed")
    DOCUMENT_ATTACHED = "fund.document_attached", _("Supporting document attached")
    EMPOWERMENT_REFERRED = "empowerment.referred", _("Referred to a programme")
    EMPOWERMENT_ENROLLED = "empowerment.enrolled", _("Enrolled in a programme")
    EMPOWERMENT_ACTIVE = "empowerment.active", _("Programme under way")
    EMPOWERMENT_COMPLETED = "empowerment.completed", _("Programme completed")
    EMPOWERMENT_DROPPED_OUT = "empowerment.dropped_out", _("Left the programme")
    EMPOWERMENT_DECLINED = "empowerment.declined", _("Not admitted to the programme")
    PROJECT_STARTED = "empowerment.project_started", _("Project started")
    VISIT_RECORDED = "empowerment.visit_recorded", _("Follow-up visit recorded")
    VISIT_RESCHEDULED = "empowerment.visit_rescheduled", _("Follow-up visit rescheduled")
    REFLECTION_GRANTED = "return.reflection_granted", _("Reflection period granted")
    REFLECTION_EXTENDED = "return.reflection_extended", _("Reflection period extended")
    RETURN_PLANNED = "return.planned", _("Return planned")
    RETURN_UPDATED = "return.updated", _("Return plan updated")
    RETURN_CHOICE_RECORDED = "return.choice_recorded", _("Informed choice on return recorded")
    RETURN_RISK_ASSESSED = "return.risk_assessed", _("Pre-return risk assessed")
    RETURN_APPROVED = "return.approved", _("Return approved")
    RETURN_DEPARTED = "return.departed", _("Departure recorded")
    RETURN_ARRIVED = "return.arrived", _("Arrival recorded")
    RETURN_COMPLETED = "return.completed", _("Return completed")
    RETURN_CANCELLED = "return.cancelled", _("Return cancelled")
    RETURN_FOLLOW_UP_RECORDED = "return.follow_up_recorded", _("Follow-up after return recorded")
    PROCEEDING_RECORDED = "justice.proceeding_recorded", _("Criminal proceeding recorded")
    PROCEEDING_UPDATED = "justice.proceeding_updated", _("Criminal proceeding updated")
    PROCEEDING_MOVED = "justice.proceeding_moved", _("Criminal proceeding moved on")
    HEARING_RECORDED = "justice.hearing_recorded", _("Court hearing recorded")
    CHARGE_RECORDED = "justice.charge_recorded", _("Charge against the survivor recorded")
    CHARGE_UPDATED = "justice.charge_updated", _("Charge against the survivor updated")


class CaseEvent(models.Model):
    """One line of a case's timeline, written by ``timeline.actions`` only.

    ``summary`` is short text for the people working on the case, never identifying data
    beyond the case itself; it is written once in Arabic and once in English.
    """

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="events"
    )
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    kind = models.CharField(_("event"), max_length=64)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    summary_en = models.CharField(_("summary in English"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    object_code = models.CharField(_("record"), max_length=64, blank=True)

    class Meta:
        db_table = "cases_caseevent"
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case.code} {self.kind}"

    @property
    def text(self) -> str:
        """The summary in the reader's language (Arabic when no English was written)."""
        english = (get_language() or "ar").startswith("en")
        return self.summary_en if english and self.summary_en else self.summary

    @property
    def kind_label(self) -> str:
        """The kind in the reader's language; a kind unknown here shows as written."""
        try:
            return str(EventKind(self.kind).label)
        except ValueError:
            return self.kind
