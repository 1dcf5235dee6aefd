"""The audit trail's actions and purposes in words, in the active language.

The trail stores stable codes (``fund.payment_paid``, ``care``) that the filters match; the
auditor's page shows what they mean. The table is words only: naming an action here
imports nothing from the app that records it. An action missing from the table is shown
as recorded.
"""

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

ACTIONS: dict[str, Promise] = {
    "admin.added": pgettext_lazy("audit trail", "Record added in the administration site"),
    "admin.changed": pgettext_lazy("audit trail", "Record changed in the administration site"),
    "agencies.membership_approved": pgettext_lazy("audit trail", "Membership approved"),
    "agencies.membership_bootstrapped": pgettext_lazy("audit trail", "First membership set up"),
    "agencies.membership_deactivated": pgettext_lazy("audit trail", "Membership ended"),
    "agencies.membership_granted": pgettext_lazy("audit trail", "Membership granted"),
    "agencies.membership_proposed": pgettext_lazy("audit trail", "Membership proposed"),
    "agencies.membership_reactivated": pgettext_lazy("audit trail", "Membership restored"),
    "agencies.membership_refused": pgettext_lazy("audit trail", "Membership change refused"),
    "agencies.membership_rejected": pgettext_lazy("audit trail", "Membership rejected"),
    "agencies.membership_role_changed": pgettext_lazy("audit trail", "Membership role changed"),
    "auth.enrolment_code_issued": pgettext_lazy("audit trail", "Enrolment code issued"),
    "auth.enrolment_code_refused": pgettext_lazy("audit trail", "Enrolment code refused"),
    "auth.locked_out": pgettext_lazy("audit trail", "Account locked after failed sign-ins"),
    "auth.login": pgettext_lazy("audit trail", "Signed in"),
    "auth.login_failed": pgettext_lazy("audit trail", "Sign-in failed"),
    "auth.logout": pgettext_lazy("audit trail", "Signed out"),
    "auth.session_expired": pgettext_lazy("audit trail", "Session expired"),
    "auth.totp_enrol_failed": pgettext_lazy("audit trail", "Authenticator enrolment failed"),
    "auth.totp_enrolled": pgettext_lazy("audit trail", "Authenticator enrolled"),
    "auth.totp_enrolment_refused": pgettext_lazy("audit trail", "Authenticator enrolment refused"),
    "auth.totp_enrolment_started": pgettext_lazy("audit trail", "Authenticator enrolment started"),
    "auth.totp_failed": pgettext_lazy("audit trail", "Second-factor code refused"),
    "auth.totp_verified": pgettext_lazy("audit trail", "Second-factor code accepted"),
    "case.opened": pgettext_lazy("audit trail", "Case opened"),
    "case.closed": pgettext_lazy("audit trail", "Case closed"),
    "case.summary_printed": pgettext_lazy("audit trail", "Case summary printed"),
    "empowerment.enrolment.enrolled": pgettext_lazy("audit trail", "Enrolled in a programme"),
    "empowerment.enrolment.referred": pgettext_lazy("audit trail", "Referred to a programme"),
    "empowerment.programme.changed": pgettext_lazy("audit trail", "Programme changed"),
    "empowerment.programme.created": pgettext_lazy("audit trail", "Programme created"),
    "empowerment.project.started": pgettext_lazy("audit trail", "Project started"),
    "empowerment.visit.recorded": pgettext_lazy("audit trail", "Follow-up visit recorded"),
    "empowerment.visit.rescheduled": pgettext_lazy("audit trail", "Follow-up visit rescheduled"),
    "fund.document_attached": pgettext_lazy("audit trail", "Supporting document attached"),
    "fund.document_read": pgettext_lazy("audit trail", "Supporting document read"),
    "fund.limit_change_approval_refused": pgettext_lazy(
        "audit trail", "Approval of a limit change refused"
    ),
    "fund.limit_change_approved": pgettext_lazy("audit trail", "Limit change approved"),
    "fund.limit_change_proposed": pgettext_lazy("audit trail", "Limit change proposed"),
    "fund.limit_change_rejected": pgettext_lazy("audit trail", "Limit change rejected"),
    "fund.limit_set": pgettext_lazy("audit trail", "Payment limit set"),
    "fund.line_opened": pgettext_lazy("audit trail", "Budget line opened"),
    "fund.payment_approved": pgettext_lazy("audit trail", "Assistance approved"),
    "fund.payment_second_approval": pgettext_lazy("audit trail", "Second approval given"),
    "fund.payment_paid": pgettext_lazy("audit trail", "Assistance paid"),
    "fund.payment_rejected": pgettext_lazy("audit trail", "Assistance rejected"),
    "fund.payment_requested": pgettext_lazy("audit trail", "Assistance requested"),
    "fund.payment_reversed": pgettext_lazy("audit trail", "Payment reversed"),
    "fund.statement_exported": pgettext_lazy("audit trail", "Fund statement exported"),
    "grants.grant_created": pgettext_lazy("audit trail", "Grant created"),
    "grants.report_approved": pgettext_lazy("audit trail", "Grant report approved"),
    "grants.report_returned": pgettext_lazy("audit trail", "Grant report returned"),
    "grants.report_submitted": pgettext_lazy("audit trail", "Grant report submitted"),
    "grants.statement_exported": pgettext_lazy("audit trail", "Grant statement exported"),
    "grants.tranche_released": pgettext_lazy("audit trail", "Tranche released"),
    "referral.consent_overridden": pgettext_lazy("audit trail", "Consent overridden"),
    "referral.created": pgettext_lazy("audit trail", "Referral created"),
    "referral.form_printed": pgettext_lazy("audit trail", "Referral form printed"),
    "referral.refused": pgettext_lazy("audit trail", "Referral refused"),
    "referral.sent": pgettext_lazy("audit trail", "Referral sent"),
    "referral.shared_fields_viewed": pgettext_lazy("audit trail", "Shared referral details read"),
    "screening.indicator_sets_imported": pgettext_lazy("audit trail", "Indicator sets imported"),
    "screening.recorded": pgettext_lazy("audit trail", "Screening recorded"),
    "service.feedback_recorded": pgettext_lazy("audit trail", "Feedback on a service recorded"),
    "shelter.admitted": pgettext_lazy("audit trail", "Admitted to a shelter"),
    "shelters.admitted": pgettext_lazy("audit trail", "Admitted to a shelter"),
    "shelters.bed_in_service": pgettext_lazy("audit trail", "Bed back in service"),
    "shelters.bed_out_of_service": pgettext_lazy("audit trail", "Bed out of service"),
    "shelters.beds_added": pgettext_lazy("audit trail", "Beds added"),
    "shelters.discharged": pgettext_lazy("audit trail", "Discharged from a shelter"),
    "shelters.refused": pgettext_lazy("audit trail", "Shelter action refused"),
    "shelters.transferred": pgettext_lazy("audit trail", "Transferred between shelters"),
    "shelters.unit_added": pgettext_lazy("audit trail", "Shelter unit added"),
    "shelters.unit_updated": pgettext_lazy("audit trail", "Shelter unit updated"),
    "shelters.updated": pgettext_lazy("audit trail", "Shelter updated"),
    "survivor.consent_form_printed": pgettext_lazy("audit trail", "Consent form printed"),
    "survivor.consent_recorded": pgettext_lazy("audit trail", "Consent recorded"),
    "survivor.consent_withdrawn": pgettext_lazy("audit trail", "Consent withdrawn"),
    "survivor.demo_loaded": pgettext_lazy("audit trail", "Demo survivors loaded"),
    "survivor.document_added": pgettext_lazy("audit trail", "Identity document added"),
    "survivor.duplicate_checked": pgettext_lazy("audit trail", "Duplicate check made"),
    "survivor.identity_listed": pgettext_lazy("audit trail", "Identities listed"),
    "survivor.identity_updated": pgettext_lazy("audit trail", "Identity updated"),
    "survivor.identity_viewed": pgettext_lazy("audit trail", "Identity read"),
    "survivor.possible_duplicate_decided": pgettext_lazy(
        "audit trail", "Possible duplicate decided"
    ),
    "survivor.possible_duplicate_opened": pgettext_lazy("audit trail", "Possible duplicate opened"),
    "list.exported": pgettext_lazy("audit trail", "List exported"),
    "survivor.registered": pgettext_lazy("audit trail", "Survivor registered"),
    "survivor.viewed": pgettext_lazy("audit trail", "Survivor record viewed"),
    "survivors.first_names_read": pgettext_lazy("audit trail", "First names read"),
}

PURPOSES: dict[str, Promise] = {
    "care": pgettext_lazy("audit trail", "Care and case management"),
    "referral": pgettext_lazy("audit trail", "Referral"),
    "legal": pgettext_lazy("audit trail", "Legal proceedings"),
    "safety": pgettext_lazy("audit trail", "Safety"),
    "correction": pgettext_lazy("audit trail", "Correction of the record"),
    "identification": pgettext_lazy("audit trail", "Identification"),
    "statistics": pgettext_lazy("audit trail", "Statistics"),
    "worklist": pgettext_lazy("audit trail", "Work list"),
    "shelter residents list": pgettext_lazy("audit trail", "Shelter residents list"),
    "embassy": pgettext_lazy("audit trail", "Embassy"),
    "reporting": pgettext_lazy("audit trail", "Reporting"),
    "coordination": pgettext_lazy("audit trail", "Coordination between agencies"),
    "inspection": pgettext_lazy("audit trail", "Inspection or audit"),
    "other": pgettext_lazy("audit trail", "Other purpose"),
    "operations": pgettext_lazy("audit trail", "Control centre operations"),
}

# The parts of the system that act without a signed-in user, by the name they record.
SYSTEM_ACTORS: dict[str, Promise] = {
    "scheduler": pgettext_lazy("audit trail", "Scheduler"),
    "manage.py": pgettext_lazy("audit trail", "Command line"),
    "seed_demo": pgettext_lazy("audit trail", "Demo data"),
    "generate_national": pgettext_lazy("audit trail", "Synthetic national data"),
}


def register_actions(actions: "dict[str, Promise]") -> None:
    """Add the words for actions that an app above records (the case timeline's kinds),
    without overriding a label already in the table."""
    for code, label in actions.items():
        ACTIONS.setdefault(code, label)


def action_label(action: str) -> str:
    label = ACTIONS.get(action)
    return str(label) if label is not None else action


def actor_label(actor_id: int | None, username: str) -> str:
    """A user's username as typed; a system part's name in the reader's language."""
    label = SYSTEM_ACTORS.get(username) if actor_id is None else None
    return str(label) if label is not None else username


def purpose_label(purpose: str) -> str:
    label = PURPOSES.get(purpose)
    return str(label) if label is not None else purpose
