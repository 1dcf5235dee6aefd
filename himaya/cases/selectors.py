"""Scoped reads of cases. Every read of a case starts from ``cases_visible_to``."""

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, TypedDict

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    prefetch_related_objects,
)
from django.http import Http404
from django.utils import timezone

from himaya.agencies.models import Agency, Governorate, Role
from himaya.agencies.selectors import agency_ids_for
from himaya.cases import rules
from himaya.cases.models import (
    CarePlan,
    CarePlanGoal,
    CarePlanStatus,
    Case,
    CaseNote,
    CaseNoteRevision,
    CasePlatform,
    CaseTransfer,
    ClosureReason,
    ClosureRequest,
    ClosureStatus,
    DigitalEvidence,
    ExploitationForm,
    IdentificationDecision,
    IdentificationStatus,
    OnlinePlatform,
    Phase,
    PhaseChange,
    PlatformRole,
    RiskAssessment,
    RiskFactor,
    RiskLevel,
    TransferStatus,
)
from himaya.cases.proposals import screening_outcome
from himaya.core.fields import EncryptedTextField
from himaya.core.joins import names_joined
from himaya.core.prepared import PreparedValues
from himaya.core.typing import AnyUser
from himaya.survivors.models import Survivor
from himaya.survivors.rules import is_presumed_child
from himaya.survivors.selectors import (
    assessed_adult_subquery,
    presumed_child,
    survivors_visible_to,
)
from himaya.timeline.models import CaseEvent


def cases_visible_to(user: AnyUser) -> QuerySet[Case]:
    """Cases led by an agency in which the user is a case worker or supervisor."""
    if not user.has_perm("cases.work_cases"):
        return Case.objects.none()
    agencies = agency_ids_for(user, Role.CASE_WORKER, Role.SUPERVISOR)
    return Case.objects.filter(lead_agency_id__in=agencies)


def works_on(user: AnyUser, case: Case) -> bool:
    """Whether the user is a case worker or supervisor of the case's lead agency."""
    return bool(
        user.has_perm("cases.work_cases")
        and case.lead_agency_id in agency_ids_for(user, Role.CASE_WORKER, Role.SUPERVISOR)
    )


def supervises(user: AnyUser, case: Case) -> bool:
    """Whether the user is a supervisor of the case's lead agency."""
    return bool(
        user.has_perm("cases.supervise")
        and case.lead_agency_id in agency_ids_for(user, Role.SUPERVISOR)
    )


def may_submit_care_plan(user: AnyUser, plan: CarePlan) -> bool:
    """A draft or returned plan is submitted by its author."""
    return plan.is_editable and plan.author_id == user.pk


def may_decide_care_plan(user: AnyUser, plan: CarePlan) -> bool:
    """A submitted plan is decided by a supervisor of the lead agency who did not write it."""
    return plan.is_submitted and plan.author_id != user.pk and supervises(user, plan.case)


def get_case_or_404(user: AnyUser, code: str) -> Case:
    """The case with this code if the user may see it; 404 for missing and forbidden alike."""
    case = (
        cases_visible_to(user).select_related("survivor", "lead_agency").filter(code=code).first()
    )
    if case is None:
        raise Http404
    return case


_SURVIVOR_ENCRYPTED = [
    f"survivor__{field.name}"
    for field in Survivor._meta.concrete_fields
    if isinstance(field, EncryptedTextField)
]


# What the case page reads of the records it joins: the survivor's code, the names of the
# agencies, the governorate and the case worker. Fewer columns make a cheaper query to
# build; touching another column of these would cost a query (the page's query count says).
_CASE_PAGE_COLUMNS = [
    *(field.name for field in Case._meta.concrete_fields),
    "survivor__code",
    "lead_agency__name_ar",
    "lead_agency__name_en",
    "identifying_agency__name_ar",
    "identifying_agency__name_en",
    "governorate_of_exploitation__name_ar",
    "governorate_of_exploitation__name_en",
    "case_worker__username",
    "case_worker__first_name",
    "case_worker__last_name",
]


# The order of the case list: newest first contact first, the code breaking ties. Pages
# are cut by position in this order (``core.keyset``), on the index ``case_list_order``.
CASE_LIST_ORDER = ("-first_contact_on", "-code")


def case_list(user: AnyUser) -> QuerySet[Case]:
    """The visible cases, ready for a list (``cases.filters.CaseFilter`` searches them)."""
    return (
        cases_visible_to(user)
        .select_related("survivor", "lead_agency", "case_worker", "governorate_of_exploitation")
        .defer(*_SURVIVOR_ENCRYPTED)  # the list shows the survivor's code only: decrypt nothing
        .prefetch_related("exploitation_forms")
        .order_by(*CASE_LIST_ORDER)
    )


# The sections of a case as models (the printed summary reads them; the case page reads
# its own as rows, below), each read by one query when, and only when, the case
# has rows for it. One short query first asks which sections hold rows (an EXISTS on an
# indexed foreign key each, written as plain SQL: composing a dozen subqueries in the ORM
# costs more than running them), so that a case with few sections costs few queries.
# The name is the relation the page reads; the value, what to prefetch for it, its table,
# and the status its rows must have, if any. Built once: the prefetches hold querysets that
# are never run themselves, only copied for each case.
@functools.cache
def _case_sections() -> dict[str, tuple["Prefetch[Any] | str", str, str]]:
    forms = Case.exploitation_forms.through._meta.db_table
    return {
        "exploitation_forms": ("exploitation_forms", forms, ""),
        "risk_assessments": (
            Prefetch(
                "risk_assessments", queryset=names_joined(RiskAssessment.objects.all(), "assessor")
            ),
            RiskAssessment._meta.db_table,
            "",
        ),
        "care_plans": (
            Prefetch(
                "care_plans",
                queryset=names_joined(
                    CarePlan.objects.all(), "author", "decided_by"
                ).prefetch_related(Prefetch("goals", queryset=CarePlanGoal.objects.order_by("id"))),
            ),
            CarePlan._meta.db_table,
            "",
        ),
        "closure_requests": (
            Prefetch(
                "closure_requests",
                queryset=names_joined(ClosureRequest.objects.all(), "requested_by", "decided_by"),
            ),
            ClosureRequest._meta.db_table,
            "",
        ),
        "phase_changes": ("phase_changes", PhaseChange._meta.db_table, ""),
        "platform_uses": (
            Prefetch("platform_uses", queryset=CasePlatform.objects.select_related("platform")),
            CasePlatform._meta.db_table,
            "",
        ),
        "proposed_transfers": (
            Prefetch(
                "transfers",
                queryset=CaseTransfer.objects.filter(status=TransferStatus.PROPOSED).select_related(
                    "to_agency"
                ),
                to_attr="proposed_transfers",
            ),
            CaseTransfer._meta.db_table,
            TransferStatus.PROPOSED.value,
        ),
        "identification_decisions": (
            Prefetch(
                "identification_decisions",
                queryset=names_joined(
                    IdentificationDecision.objects.all(), "decided_by", "deciding_agency"
                ),
            ),
            IdentificationDecision._meta.db_table,
            "",
        ),
    }


def _sections_holding_rows(case_id: int, sections: dict[str, tuple[Any, str, str]]) -> set[str]:
    """The sections with rows for this case. Table names come from the models, never from
    input; the case and the status are parameters."""
    checks: list[str] = []
    params: list[int | str] = []
    for _, table, status in sections.values():
        where = "case_id = %s AND status = %s" if status else "case_id = %s"
        checks.append(f"EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)} WHERE {where})")  # noqa: S608  # nosec B608
        params += [case_id, status] if status else [case_id]
    sql = "SELECT " + ", ".join(checks)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return {name for name, holds in zip(sections, row, strict=True) if holds}


class CaseRow(TypedDict):
    """One line of the case list, read as plain columns: no model is built for it. A
    dictionary, which a template reads faster than an object's attributes."""

    code: str
    survivor_code: str
    phase: str
    lead_agency: str
    case_worker: str
    governorate: str
    forms: str
    first_contact_on: date


def case_list_values(cases: QuerySet[Case], *, english: bool) -> QuerySet[Any]:
    """The columns the case list shows, in the reader's language, as rows of values (the
    ordering columns included, which the list's pages are cut by)."""
    name = "name_en" if english else "name_ar"
    return cases.prefetch_related(None).values(
        "id",
        "code",
        "phase",
        "first_contact_on",
        survivor_code=F("survivor__code"),
        agency_name=F(f"lead_agency__{name}"),
        worker_first=F("case_worker__first_name"),
        worker_last=F("case_worker__last_name"),
        worker_username=F("case_worker__username"),
        governorate_name=F(f"governorate_of_exploitation__{name}"),
    )


def case_api_values(cases: QuerySet[Case]) -> QuerySet[Any]:
    """The columns a case list row of the API holds, as rows of values (codes, not names)."""
    return cases.prefetch_related(None).values(
        "id",
        "code",
        "phase",
        "first_contact_on",
        "identified_on",
        "identified_by",
        "recruitment_channel",
        "country_of_exploitation",
        "is_transnational",
        "version",
        survivor_code=F("survivor__code"),
        agency_code=F("lead_agency__code"),
        worker=F("case_worker__username"),
        governorate_code=F("governorate_of_exploitation__code"),
    )


def exploitation_form_codes(case_ids: list[int]) -> dict[int, list[str]]:
    """The codes of the forms of exploitation of these cases, in the forms' order, in one
    query."""
    codes: dict[int, list[str]] = {}
    through = Case.exploitation_forms.through.objects.filter(case_id__in=case_ids).order_by(
        "exploitationform__order", "exploitationform_id"
    )
    for case_id, code in through.values_list("case_id", "exploitationform__code"):
        codes.setdefault(case_id, []).append(code)
    return codes


def case_rows(values: list[dict[str, Any]], *, english: bool) -> list[CaseRow]:
    """The case list's lines from its rows of values, with the forms of exploitation of
    all of them read in one query."""
    name = "name_en" if english else "name_ar"
    forms: dict[int, list[str]] = {}
    through = Case.exploitation_forms.through.objects.filter(
        case_id__in=[row["id"] for row in values]
    ).order_by("exploitationform__order", "exploitationform_id")
    for case_id, form in through.values_list("case_id", f"exploitationform__{name}"):
        forms.setdefault(case_id, []).append(form)
    labels = dict(Phase.choices)
    return [
        CaseRow(
            code=row["code"],
            survivor_code=row["survivor_code"],
            phase=str(labels.get(row["phase"], row["phase"])),
            lead_agency=row["agency_name"],
            case_worker=_person(row, "worker"),
            governorate=row["governorate_name"] or "",
            forms="، ".join(forms.get(row["id"], [])),
            first_contact_on=row["first_contact_on"],
        )
        for row in values
    ]


def case_detail(user: AnyUser, code: str) -> Case:
    """A visible case with its sections as models (the printed summary): one query
    for the case, one that says which sections hold rows, and one for each section that
    does (none for an empty one). The case page reads them as rows (``case_page``)."""
    case = _case_with_names(user, code)
    sections = _case_sections()
    holding = _sections_holding_rows(case.pk, sections)
    case.sections_holding_rows = holding  # type: ignore[attr-defined]
    wanted = []
    for name, (lookup, _, _) in sections.items():
        if not lookup:
            continue
        if name in holding:
            wanted.append(lookup)
        elif name == "proposed_transfers":
            case.proposed_transfers = []  # type: ignore[attr-defined]
        else:
            # What the prefetch would leave for a relation with no rows: an empty result
            # that ``case.<relation>.all()`` returns without asking the database.
            # Filled as Django's prefetch fills it, so that reading it builds no query.
            empty = getattr(case, name).none()
            empty._result_cache = []
            empty._prefetch_done = True
            cache = case.__dict__.setdefault("_prefetched_objects_cache", {})
            cache[name] = empty
    prefetch_related_objects([case], *wanted)
    return case


def case_for_api(user: AnyUser, code: str) -> Case:
    """A visible case with what the API's case serializer writes: its joined records'
    codes and names, its forms of exploitation; never the survivor's identity, nor the
    sections of the case, which have endpoints of their own."""
    case = case_list(user).select_related("identifying_agency").order_by().filter(code=code).first()
    if case is None:
        raise Http404
    return case


# The case page shows the latest lines of the timeline; the timeline page shows them all.
TIMELINE_ON_CASE_PAGE = 20
TIMELINE_PAGE_SIZE = 50


def case_timeline(case: Case) -> QuerySet[CaseEvent]:
    """The lines of a case's timeline, newest first, with who wrote them."""
    return names_joined(CaseEvent.objects.filter(case=case), "actor").order_by(
        "-occurred_at", "-id"
    )


# --- the case page ------------------------------------------------------------------------
# The page reads each section as plain rows through queries composed once per process
# (``core.prepared``): on every request only the SQL runs, for this case. The printed
# summary reads the same sections as models (``case_detail``).


def _person(row: dict[str, Any], prefix: str) -> str:
    """A user's full name, or the username when no name was written (as the pages show);
    empty when the row names nobody (a left join that found no one)."""
    full = f"{row[prefix + '_first'] or ''} {row[prefix + '_last'] or ''}".strip()
    return full or row[prefix + "_username"] or ""


def _person_columns(relation: str, prefix: str) -> dict[str, F]:
    return {
        f"{prefix}_username": F(f"{relation}__username"),
        f"{prefix}_first": F(f"{relation}__first_name"),
        f"{prefix}_last": F(f"{relation}__last_name"),
    }


def _name_columns(relation: str, prefix: str) -> dict[str, F]:
    return {f"{prefix}_ar": F(f"{relation}__name_ar"), f"{prefix}_en": F(f"{relation}__name_en")}


# The names the case shows, and whether each section holds rows (an EXISTS on an indexed
# foreign key each), in one query.
_PAGE_NAMES = PreparedValues(
    lambda key: (
        Case.objects.filter(pk=key)
        .order_by()
        .values(
            survivor_code=F("survivor__code"),
            **_name_columns("lead_agency", "lead"),
            **_name_columns("identifying_agency", "identifying"),
            **_name_columns("governorate_of_exploitation", "governorate"),
            **_person_columns("case_worker", "worker"),
            **{
                f"holds_{name}": Exists(model.objects.filter(case_id=OuterRef("pk"), **where))
                for name, (model, where) in _PAGE_SECTIONS.items()
            },
        )
    )
)
_PAGE_FORMS = PreparedValues(
    lambda key: (
        Case.exploitation_forms.through.objects.filter(case_id=key)
        .order_by("exploitationform__order", "exploitationform_id")
        .values(**_name_columns("exploitationform", "form"))
    )
)
_PAGE_RISKS = PreparedValues(
    lambda key: (
        RiskAssessment.objects.filter(case_id=key)
        .order_by("-assessed_on", "-id")
        .values(
            "code", "assessed_on", "level", "factors", **_person_columns("assessor", "assessor")
        )
    )
)
_PAGE_CARE_PLANS = PreparedValues(
    lambda key: (
        CarePlan.objects.filter(case_id=key)
        .order_by("-created_at", "-id")
        .values("id", "code", "status")
    )
)
_PAGE_GOALS = PreparedValues(
    lambda key: (
        CarePlanGoal.objects.filter(care_plan__case_id=key)
        .order_by("id")
        .values("care_plan_id", "description", "is_achieved")
    )
)
_PAGE_CLOSURES = PreparedValues(
    lambda key: (
        ClosureRequest.objects.filter(case_id=key, status=ClosureStatus.PENDING)
        .order_by("-created_at", "-id")
        .values("code", "reason")
    )
)
_PAGE_EVENTS = PreparedValues(
    lambda key: (
        CaseEvent.objects.filter(case_id=key)
        .order_by("-occurred_at", "-id")
        .values(
            "kind", "occurred_at", "summary", "summary_en", **_person_columns("actor", "actor")
        )[: TIMELINE_ON_CASE_PAGE + 1]
    )
)
_PAGE_PHASES = PreparedValues(
    lambda key: (
        PhaseChange.objects.filter(case_id=key)
        .order_by("changed_on", "id")
        .values("changed_on", "to_phase")
    )
)
_PAGE_PLATFORMS = PreparedValues(
    lambda key: (
        CasePlatform.objects.filter(case_id=key)
        .order_by("role", "platform__order", "id")
        .values("role", **_name_columns("platform", "platform"))
    )
)
_PAGE_TRANSFERS = PreparedValues(
    lambda key: (
        CaseTransfer.objects.filter(case_id=key, status=TransferStatus.PROPOSED)
        .order_by("-proposed_on", "-id")
        .values("code", "proposed_on", **_name_columns("to_agency", "to"))
    )
)
_PAGE_DECISIONS = PreparedValues(
    lambda key: (
        IdentificationDecision.objects.filter(case_id=key)
        .order_by("-decided_on", "-id")
        .values(
            "decided_on",
            "status",
            "grounds",
            **_name_columns("deciding_agency", "agency"),
            **_person_columns("decided_by", "by"),
        )
    )
)
_PAGE_NOTES = PreparedValues(
    lambda key: (
        CaseNote.objects.filter(case_id=key)
        .order_by("-created_at", "-id")
        .values(
            "id",
            "code",
            "body",
            "version",
            "updated_at",
            "author_id",
            **_person_columns("author", "author"),
        )
    )
)
_PAGE_NOTE_REVISIONS = PreparedValues(
    lambda key: (
        CaseNoteRevision.objects.filter(note__case_id=key)
        .order_by("note_id", "-version")
        .values("note_id", "version", "written_at", "body")
    )
)
_PAGE_EVIDENCE = PreparedValues(
    lambda key: (
        DigitalEvidence.objects.filter(case_id=key)
        .order_by("-recorded_on", "-id")
        .values("description", "reference", "recorded_on")
    )
)

# Each section of the page: the rows it shows, and the status they must have if any (the
# query of the case's names also says which sections hold rows).
_PAGE_SECTIONS: dict[str, tuple[type[Any], dict[str, str]]] = {
    "exploitation_forms": (Case.exploitation_forms.through, {}),
    "risk_assessments": (RiskAssessment, {}),
    "care_plans": (CarePlan, {}),
    "closure_requests": (ClosureRequest, {"status": ClosureStatus.PENDING.value}),
    "events": (CaseEvent, {}),
    "phase_changes": (PhaseChange, {}),
    "platform_uses": (CasePlatform, {}),
    "proposed_transfers": (CaseTransfer, {"status": TransferStatus.PROPOSED.value}),
    "identification_decisions": (IdentificationDecision, {}),
    "notes": (CaseNote, {}),
    "digital_evidence": (DigitalEvidence, {}),
}


@dataclass
class CasePage:
    """What the case page shows, its sections as plain rows in the reader's language."""

    case: Case
    survivor_code: str
    lead_agency: str
    case_worker: str
    identifying_agency: str
    governorate: str
    forms: list[str]
    risks: list[dict[str, Any]]
    care_plans: list[dict[str, Any]]
    care_plan_in_preparation: bool
    pending_closure: dict[str, Any] | None
    events: list[dict[str, Any]]
    more_events: bool
    phase_changes: list[dict[str, Any]]
    platforms: list[tuple[str, list[str]]]
    pending_transfer: dict[str, Any] | None
    identification_decisions: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    evidence: list[dict[str, Any]]


def _case_with_names(user: AnyUser, code: str) -> Case:
    """The visible case with the names it shows joined, never the survivor's identity."""
    case = (
        cases_visible_to(user)
        .select_related(
            "survivor",
            "lead_agency",
            "case_worker",
            "identifying_agency",
            "governorate_of_exploitation",
        )
        .only(*_CASE_PAGE_COLUMNS)  # the survivor's code only: decrypt nothing
        .filter(code=code)
        .first()
    )
    if case is None:
        raise Http404
    return case


def case_page(user: AnyUser, code: str, *, english: bool) -> CasePage:
    """A visible case and its page's sections: one query that finds the case in the user's
    scope, then, each composed once per process, one for the names it shows and which
    sections hold rows, and one for each section that does (two for care plans and for
    revised notes)."""
    case = cases_visible_to(user).filter(code=code).first()
    if case is None:
        raise Http404
    key = case.pk
    [names] = _PAGE_NAMES.rows(key)
    holding = {name for name in _PAGE_SECTIONS if names[f"holds_{name}"]}

    def read(section: str, prepared: PreparedValues) -> list[dict[str, Any]]:
        return prepared.rows(key) if section in holding else []

    suffix = "_en" if english else "_ar"
    risk_levels = dict(RiskLevel.choices)
    risk_factors = dict(RiskFactor.choices)
    risks = [
        {
            "code": row["code"],
            "assessed_on": row["assessed_on"],
            "level": row["level"],
            "level_label": str(risk_levels.get(row["level"], row["level"])),
            "factors": "، ".join(str(risk_factors.get(f, f)) for f in row["factors"] or []),
            "assessor": _person(row, "assessor"),
        }
        for row in read("risk_assessments", _PAGE_RISKS)
    ]
    plan_rows = read("care_plans", _PAGE_CARE_PLANS)
    goals: dict[int, list[dict[str, Any]]] = {}
    if plan_rows:
        for goal in _PAGE_GOALS.rows(key):
            goals.setdefault(goal["care_plan_id"], []).append(goal)
    plan_statuses = dict(CarePlanStatus.choices)
    care_plans = [
        {
            "code": row["code"],
            "status_label": str(plan_statuses.get(row["status"], row["status"])),
            "goals": goals.get(row["id"], []),
        }
        for row in plan_rows
    ]
    closures = read("closure_requests", _PAGE_CLOSURES)
    closure_reasons = dict(ClosureReason.choices)
    pending_closure = (
        {
            "code": closures[0]["code"],
            "reason_label": str(closure_reasons.get(closures[0]["reason"], closures[0]["reason"])),
        }
        if closures
        else None
    )
    event_rows = read("events", _PAGE_EVENTS)
    events = [
        {
            "kind": row["kind"],
            "occurred_at": row["occurred_at"],
            "iso": timezone.localtime(row["occurred_at"]).isoformat(),
            "text": row["summary_en"] if english and row["summary_en"] else row["summary"],
            "actor": _person(row, "actor"),
        }
        for row in event_rows[:TIMELINE_ON_CASE_PAGE]
    ]
    phase_labels = dict(Phase.choices)
    by_role: dict[str, list[str]] = {role: [] for role in PlatformRole.values}
    for row in read("platform_uses", _PAGE_PLATFORMS):
        by_role[row["role"]].append(row["platform" + suffix])
    role_labels = dict(PlatformRole.choices)
    transfers = read("proposed_transfers", _PAGE_TRANSFERS)
    decision_labels = dict(IdentificationStatus.choices)
    team = works_on(user, case) and not case.is_closed
    note_rows = read("notes", _PAGE_NOTES)
    revisions: dict[int, list[dict[str, Any]]] = {}
    if any(row["version"] > 1 for row in note_rows):
        for revision in _PAGE_NOTE_REVISIONS.rows(key):
            revisions.setdefault(revision["note_id"], []).append(
                {**revision, "iso": timezone.localtime(revision["written_at"]).isoformat()}
            )
    return CasePage(
        case=case,
        survivor_code=names["survivor_code"],
        lead_agency=names["lead" + suffix],
        case_worker=_person(names, "worker"),
        identifying_agency=names["identifying" + suffix] or "",
        governorate=names["governorate" + suffix] or "",
        forms=[row["form" + suffix] for row in read("exploitation_forms", _PAGE_FORMS)],
        risks=risks,
        care_plans=care_plans,
        care_plan_in_preparation=any(row["status"] != CarePlanStatus.APPROVED for row in plan_rows),
        pending_closure=pending_closure,
        events=events,
        more_events=len(event_rows) > TIMELINE_ON_CASE_PAGE,
        phase_changes=[
            {
                "changed_on": row["changed_on"],
                "to_phase_label": str(phase_labels.get(row["to_phase"], row["to_phase"])),
            }
            for row in read("phase_changes", _PAGE_PHASES)
        ],
        platforms=[(str(role_labels[role]), used) for role, used in by_role.items()],
        pending_transfer=(
            {
                "code": transfers[0]["code"],
                "proposed_on": transfers[0]["proposed_on"],
                "to_agency": transfers[0]["to" + suffix],
            }
            if transfers
            else None
        ),
        identification_decisions=[
            {
                "decided_on": row["decided_on"],
                "status_label": str(decision_labels.get(row["status"], row["status"])),
                "agency": row["agency" + suffix] or "",
                "by": _person(row, "by"),
                "grounds": row["grounds"],
            }
            for row in read("identification_decisions", _PAGE_DECISIONS)
        ],
        notes=[
            {
                "code": row["code"],
                "body": row["body"],
                "author": _person(row, "author"),
                "updated_at": row["updated_at"],
                "iso": timezone.localtime(row["updated_at"]).isoformat(),
                "is_revised": row["version"] > 1,
                "revisions": revisions.get(row["id"], []),
                "may_revise": team and row["author_id"] == user.pk,
            }
            for row in note_rows
        ],
        evidence=read("digital_evidence", _PAGE_EVIDENCE),
    )


def lead_agencies_for(user: AnyUser) -> QuerySet[Agency]:
    """Agencies for which the user may open cases."""
    if not user.has_perm("cases.work_cases"):
        return Agency.objects.none()
    return Agency.objects.filter(
        pk__in=agency_ids_for(user, Role.CASE_WORKER, Role.SUPERVISOR), is_active=True
    ).order_by("name_en")


def _survivors_for_cases(user: AnyUser) -> QuerySet[Survivor]:
    """The active survivors a case may be opened for: those the survivors app lets the
    user see (``survivors_visible_to``), for a holder of ``cases.work_cases``."""
    if not user.has_perm("cases.work_cases"):
        return Survivor.objects.none()
    return survivors_visible_to(user).filter(is_active=True)


def survivor_for_case(user: AnyUser, code: str) -> Survivor | None:
    """The survivor with this code a case may be opened for, or None."""
    if not code:
        return None
    return _survivors_for_cases(user).filter(code=code.strip().upper()).first()


def may_open_case_for(user: AnyUser, survivor: Survivor) -> bool:
    """Whether a case may be opened for this survivor (the same rule as
    ``survivor_for_case``), checked by id without reading the record again."""
    return survivor.pk is not None and _survivors_for_cases(user).filter(pk=survivor.pk).exists()


def get_risk_assessment_or_404(user: AnyUser, code: str) -> RiskAssessment:
    assessment = (
        RiskAssessment.objects.filter(case__in=cases_visible_to(user), code=code)
        .select_related("case", "case__lead_agency", "assessor")
        .first()
    )
    if assessment is None:
        raise Http404
    return assessment


def care_plans_visible_to(user: AnyUser) -> QuerySet[CarePlan]:
    return CarePlan.objects.filter(case__in=cases_visible_to(user))


def get_care_plan_or_404(user: AnyUser, code: str) -> CarePlan:
    plan = (
        care_plans_visible_to(user)
        .select_related("case", "case__lead_agency", "author")
        .filter(code=code)
        .first()
    )
    if plan is None:
        raise Http404
    return plan


def get_goal_or_404(user: AnyUser, code: str) -> CarePlanGoal:
    goal = (
        CarePlanGoal.objects.filter(care_plan__case__in=cases_visible_to(user), code=code)
        .select_related("care_plan", "care_plan__case", "care_plan__case__lead_agency")
        .first()
    )
    if goal is None:
        raise Http404
    return goal


def get_closure_or_404(user: AnyUser, code: str) -> ClosureRequest:
    closure = (
        ClosureRequest.objects.filter(case__in=cases_visible_to(user), code=code)
        .select_related("case", "case__lead_agency", "requested_by")
        .first()
    )
    if closure is None:
        raise Http404
    return closure


def goals_for_case(case: Case) -> QuerySet[CarePlanGoal]:
    """Goals of the case's care plans (services link deliveries to them)."""
    return CarePlanGoal.objects.filter(care_plan__case=case).select_related("care_plan")


def pending_approvals(user: AnyUser) -> dict[str, Any]:
    """Care plans and closures waiting for a supervisor of the user's agencies.

    Each plan carries ``is_own``: the user wrote it, so another supervisor decides.
    """
    if not user.has_perm("cases.supervise"):
        return {"care_plans": CarePlan.objects.none(), "closures": ClosureRequest.objects.none()}
    agencies = agency_ids_for(user, Role.SUPERVISOR)
    plans = (
        CarePlan.objects.filter(case__lead_agency_id__in=agencies, status=CarePlanStatus.SUBMITTED)
        .select_related("case", "author")
        .annotate(is_own=ExpressionWrapper(Q(author_id=user.pk), output_field=BooleanField()))
        .order_by("submitted_at", "id")
    )
    closures = (
        ClosureRequest.objects.filter(
            case__lead_agency_id__in=agencies, status=ClosureStatus.PENDING
        )
        .select_related("case", "requested_by")
        .order_by("created_at", "id")
    )
    return {"care_plans": plans, "closures": closures}


def my_open_cases(user: AnyUser) -> QuerySet[Case]:
    return (
        cases_visible_to(user)
        .filter(case_worker_id=user.pk)
        .exclude(phase=Phase.CLOSED)
        .select_related("lead_agency", "governorate_of_exploitation")
        .order_by("first_contact_on", "id")
    )


def case_workers_of(agency_id: int) -> QuerySet[Any]:
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            memberships__agency_id=agency_id,
            memberships__role=Role.CASE_WORKER,
            memberships__is_active=True,
            is_active=True,
        )
        .distinct()
        .order_by("username")
    )


def exploitation_forms() -> QuerySet[ExploitationForm]:
    return ExploitationForm.objects.order_by("order")


@dataclass(frozen=True)
class ListFilterChoices:
    """The options of the case list's filters: ``(code, name)`` in the reader's language."""

    agencies: list[tuple[str, str]]
    governorates: list[tuple[str, str]]
    forms: list[tuple[str, str]]


def list_filter_choices(user: AnyUser, *, english: bool) -> ListFilterChoices:
    """The lead agencies the user may open cases for, every governorate and every form of
    exploitation, each in its own order (agencies and governorates by English name, forms
    by their rank): one query, three lists united, two columns of each row read."""
    name = "name_en" if english else "name_ar"
    lists = (
        (lead_agencies_for(user), F("name_en"), Value(0)),
        (Governorate.objects.all(), F("name_en"), Value(0)),
        (ExploitationForm.objects.all(), Value(""), F("order")),
    )
    parts = [
        queryset.order_by()
        .annotate(list_number=Value(number), sort_name=sort_name, sort_rank=rank)
        .values_list("list_number", "sort_name", "sort_rank", "code", name)
        for number, (queryset, sort_name, rank) in enumerate(lists)
    ]
    found: list[list[tuple[str, str]]] = [[], [], []]
    united = parts[0].union(*parts[1:], all=True).order_by("list_number", "sort_name", "sort_rank")
    for number, _sort_name, _rank, code, label in united:
        found[number].append((code, label))
    return ListFilterChoices(*found)


# --- the worklist -----------------------------------------------------------------------

WORKLIST_PAGE = 25
# Rows read at a time when the whole worklist is read.
WORKLIST_CHUNK = 500
WORKLIST_SORTS = ("urgency", "due", "risk")
WORKLIST_SCOPES = ("mine", "agency")
# What a worklist row shows of the survivor (the names only to those who may see them).
_ROW_FIELDS = (
    "code",
    "phase",
    "next_action",
    "next_due_on",
    "risk_level",
    "risk_rank",
    "new_until",
    "lead_agency_id",
    "case_worker_id",
    "survivor__code",
    "survivor__birth_year",
    "survivor__nationality",
)
_NAME_FIELDS = ("survivor__name_ar", "survivor__name_latin")
# A position in the worklist: section, risk rank, due date, id of the last row shown.
Cursor = tuple[int, int, date, int]


@dataclass(frozen=True)
class WorklistRow:
    case: Case
    section: rules.Section
    first_name: str  # "" when the user may not see it
    is_child: bool
    is_foreign: bool
    is_overdue: bool


@dataclass(frozen=True)
class WorklistPage:
    rows: list[WorklistRow]
    next_cursor: str  # "" on the last page
    shows_names: bool


def worklist_scopes(user: AnyUser) -> tuple[str, ...]:
    """A supervisor sees the agency's worklist or their own; a case worker their own."""
    return WORKLIST_SCOPES if user.has_perm("cases.supervise") else ("mine",)


def worklist_cases(user: AnyUser, *, scope: str = "mine") -> QuerySet[Case]:
    """The open cases of the user's worklist: their own, or (a supervisor's) the agency's."""
    cases = cases_visible_to(user).filter(next_due_on__isnull=False)
    if scope == "agency" and "agency" in worklist_scopes(user):
        return cases.filter(lead_agency_id__in=agency_ids_for(user, Role.SUPERVISOR))
    return cases.filter(case_worker_id=user.pk)


def parse_cursor(text: str) -> Cursor | None:
    """The position written by ``format_cursor``, or None for a malformed one."""
    try:
        section, rank, due, pk = text.split(".")
        return int(section), int(rank), date.fromisoformat(due), int(pk)
    except ValueError:
        return None


def format_cursor(section: int, case: Case, *, by_news: bool = False) -> str:
    day = case.new_until if by_news else case.next_due_on
    assert day is not None
    return f"{section}.{case.risk_rank}.{day.isoformat()}.{case.pk}"


def _after_due(cursor: Cursor) -> Q:
    _section, _rank, due, pk = cursor
    return Q(next_due_on__gt=due) | Q(next_due_on=due, pk__gt=pk)


def _after_news(cursor: Cursor) -> Q:
    _section, _rank, until, pk = cursor
    return Q(new_until__gt=until) | Q(new_until=until, pk__gt=pk)


def _after_risk(cursor: Cursor) -> Q:
    rank = cursor[1]
    return Q(risk_rank__lt=rank) | (Q(risk_rank=rank) & _after_due(cursor))


_BY_DUE = ("next_due_on", "id")
_BY_RISK = ("-risk_rank", "next_due_on", "id")
# New cases, the longest waiting first (a week's intake: the index on news serves it).
_BY_NEWS = ("new_until", "id")
_AFTER = {_BY_DUE: _after_due, _BY_RISK: _after_risk, _BY_NEWS: _after_news}


def _sections(sort: str, today: date) -> list[tuple[rules.Section, Q, tuple[str, ...]]]:
    """The parts of the worklist in order, each a filter and an order an index serves."""
    if sort == "due":
        return [(rules.Section.REST, Q(), _BY_DUE)]
    if sort == "risk":
        return [(rules.Section.REST, Q(), _BY_RISK)]
    upcoming = Q(next_due_on__gte=today)
    usual = upcoming & Q(risk_rank__lt=rules.HIGH_RISK_RANK)
    return [
        (rules.Section.OVERDUE, Q(next_due_on__lt=today), _BY_DUE),
        (rules.Section.HIGH_RISK, upcoming & Q(risk_rank__gte=rules.HIGH_RISK_RANK), _BY_RISK),
        (rules.Section.NEW, usual & Q(new_until__gte=today), _BY_NEWS),
        (rules.Section.REST, usual & (Q(new_until__lt=today) | Q(new_until__isnull=True)), _BY_DUE),
    ]


def _with_row_columns(cases: QuerySet[Case], *, today: date, shows_names: bool) -> QuerySet[Case]:
    """The cases with the columns a worklist row reads: the survivor's names only when
    they are shown, whether the survivor was assessed an adult on ``today``."""
    fields = _ROW_FIELDS + (_NAME_FIELDS if shows_names else ())
    return (
        cases.select_related("survivor")
        .only(*fields)
        .annotate(survivor_assessed_adult=assessed_adult_subquery("survivor_id", on=today))
    )


def _worklist_row(
    case: Case, section: rules.Section, *, today: date, shows_names: bool
) -> WorklistRow:
    """A worklist row of a case read by ``_with_row_columns``."""
    survivor = case.survivor
    name = (survivor.name_ar or survivor.name_latin) if shows_names else ""
    return WorklistRow(
        case=case,
        section=section,
        first_name=rules.first_name(name or ""),
        is_child=is_presumed_child(
            survivor.birth_year,
            on=today,
            assessed_adult=getattr(case, "survivor_assessed_adult", None),
        ),
        is_foreign=bool(survivor.nationality)
        and survivor.nationality.upper() != rules.HOME_COUNTRY,
        is_overdue=case.next_due_on is not None and case.next_due_on < today,
    )


def worklist_page(
    user: AnyUser,
    *,
    scope: str = "mine",
    sort: str = "urgency",
    after: str = "",
    today: date,
) -> WorklistPage:
    """One page of the worklist after the position ``after`` (the start when empty).

    Each section is read by an index in its order, at most a page and one row each, then
    the rows shown are loaded in one query: the cost does not depend on the number of
    cases. Survivors' names are loaded (and decrypted) only for the rows shown, and only
    for a user who may see identities."""
    sort = sort if sort in WORKLIST_SORTS else "urgency"
    cursor = parse_cursor(after) if after else None
    base = worklist_cases(user, scope=scope)
    picked: list[tuple[rules.Section, int]] = []
    orders: dict[rules.Section, tuple[str, ...]] = {}
    for section, condition, order in _sections(sort, today):
        orders[section] = order
        if cursor is not None and sort == "urgency" and section < cursor[0]:
            continue
        part = base.filter(condition)
        if cursor is not None and (sort != "urgency" or section == cursor[0]):
            part = part.filter(_AFTER[order](cursor))
        for pk in part.order_by(*order).values_list("pk", flat=True)[: WORKLIST_PAGE + 1]:
            picked.append((section, pk))
    shown, more = picked[:WORKLIST_PAGE], len(picked) > WORKLIST_PAGE
    shows_names = bool(user.has_perm("survivors.view_identity"))
    loaded = {
        case.pk: case
        for case in _with_row_columns(
            Case.objects.filter(pk__in=[pk for _section, pk in shown]),
            today=today,
            shows_names=shows_names,
        )
    }
    rows = [
        _worklist_row(loaded[pk], section, today=today, shows_names=shows_names)
        for section, pk in shown
    ]
    next_cursor = ""
    if more and rows:
        last = rows[-1]
        by_news = orders[last.section] == _BY_NEWS
        next_cursor = format_cursor(last.section, last.case, by_news=by_news)
    return WorklistPage(rows=rows, next_cursor=next_cursor, shows_names=shows_names)


def worklist_rows(
    user: AnyUser, *, scope: str = "mine", sort: str = "urgency", today: date
) -> Iterator[WorklistRow]:
    """The whole worklist in the order of its pages, section after section, read as it is
    iterated (a reader that stops early reads no further). Never survivors' names."""
    sort = sort if sort in WORKLIST_SORTS else "urgency"
    base = worklist_cases(user, scope=scope)
    for section, condition, order in _sections(sort, today):
        part = _with_row_columns(
            base.filter(condition).order_by(*order), today=today, shows_names=False
        )
        for case in part.iterator(chunk_size=WORKLIST_CHUNK):
            yield _worklist_row(case, section, today=today, shows_names=False)


# --- the identification decision --------------------------------------------------------


def conclusive_decision_days() -> int:
    """Days from reasonable grounds to the conclusive decision (a setting, not the law)."""
    return int(getattr(settings, "HIMAYA_CONCLUSIVE_DECISION_DAYS", rules.CONCLUSIVE_DECISION_DAYS))


def identification_decisions(case: Case) -> QuerySet[IdentificationDecision]:
    """The decisions on a case, newest first (the case has been read within scope)."""
    return case.identification_decisions.select_related("decided_by", "deciding_agency")


@dataclass(frozen=True)
class IdentificationState:
    """What the case page shows of the identification decision."""

    status: str
    status_label: str
    decided_on: date | None
    due_on: date | None
    is_overdue: bool
    choices: list[tuple[str, str]]
    proposal: str | None


def identification_state(user: AnyUser, case: Case, *, today: date) -> IdentificationState:
    """The case's current decision, when the conclusive one is due, whether it is overdue,
    the decisions this user may record now and the screening's proposal."""
    days = conclusive_decision_days()
    status = case.identification_status
    choices = (
        []
        if case.is_closed or not works_on(user, case)
        else rules.identification_choices(status, is_supervisor=supervises(user, case))
    )
    return IdentificationState(
        status=status,
        status_label=str(IdentificationStatus(status).label) if status else "",
        decided_on=case.identification_decided_on,
        due_on=rules.conclusive_decision_due(
            status=status, decided_on=case.identification_decided_on, days=days
        ),
        is_overdue=rules.is_identification_overdue(
            status=status, decided_on=case.identification_decided_on, days=days, today=today
        ),
        choices=[(choice, str(IdentificationStatus(choice).label)) for choice in choices],
        proposal=screening_outcome(case.screening_code),
    )


# --- case notes ---------------------------------------------------------------------------


def case_notes_visible_to(user: AnyUser) -> QuerySet[CaseNote]:
    """Notes of the cases the user works on: the lead agency's team only."""
    return CaseNote.objects.filter(case__in=cases_visible_to(user))


def case_notes(case: Case) -> QuerySet[CaseNote]:
    """The notes of a case the reader works on, newest first, with their earlier texts."""
    return (
        CaseNote.objects.filter(case=case)
        .select_related("author", "case")
        .prefetch_related("revisions")
        .order_by("-created_at", "-id")
    )


def get_case_note_or_404(user: AnyUser, code: str) -> CaseNote:
    """The note with this code if the user works on its case; 404 for missing and forbidden."""
    note = (
        case_notes_visible_to(user)
        .select_related("case", "case__lead_agency", "author")
        .filter(code=code)
        .first()
    )
    if note is None:
        raise Http404
    return note


def may_revise_note(user: AnyUser, note: CaseNote) -> bool:
    """Only the author revises a note, while still on the case's team and the case is open."""
    return bool(note.author_id == user.pk and not note.case.is_closed and works_on(user, note.case))


# --- transfers ------------------------------------------------------------------------------


def case_agency_kinds() -> frozenset[str]:
    """The kinds of agency that lead cases (a setting may replace the default)."""
    kinds = getattr(settings, "HIMAYA_CASE_AGENCY_KINDS", None)
    return frozenset(kinds) if kinds else rules.CASE_AGENCY_KINDS


def transfer_destinations(case: Case) -> QuerySet[Agency]:
    """The active agencies of a kind that leads cases, other than the case's lead agency."""
    return (
        Agency.objects.filter(is_active=True, kind__in=sorted(case_agency_kinds()))
        .exclude(pk=case.lead_agency_id)
        .order_by("name_en")
    )


def supervises_agency(user: AnyUser, agency_id: int) -> bool:
    """Whether the user is a supervisor of this agency."""
    return bool(
        user.has_perm("cases.supervise") and agency_id in agency_ids_for(user, Role.SUPERVISOR)
    )


def transfers_visible_to(user: AnyUser) -> QuerySet[CaseTransfer]:
    """Transfers of the cases the user works on, and those proposed to (or decided by) an
    agency the user supervises. Once a case has left, its former team no longer sees the
    transfer here: only the trace of ``transfers_sent``."""
    if not user.has_perm("cases.work_cases"):
        return CaseTransfer.objects.none()
    scope = Q(case__in=cases_visible_to(user))
    if user.has_perm("cases.supervise"):
        scope |= Q(to_agency_id__in=agency_ids_for(user, Role.SUPERVISOR))
    return CaseTransfer.objects.filter(scope)


def get_transfer_or_404(user: AnyUser, code: str) -> CaseTransfer:
    """The transfer with this code if the user may see it; 404 for missing and forbidden."""
    transfer = (
        transfers_visible_to(user)
        .select_related("case", "case__lead_agency", "from_agency", "to_agency", "proposed_by")
        .filter(code=code)
        .first()
    )
    if transfer is None:
        raise Http404
    return transfer


def may_decide_transfer(user: AnyUser, transfer: CaseTransfer) -> bool:
    """A proposed transfer is accepted or refused by a supervisor of the receiving agency."""
    return transfer.is_proposed and supervises_agency(user, transfer.to_agency_id)


def may_withdraw_transfer(user: AnyUser, transfer: CaseTransfer) -> bool:
    """A proposed transfer is withdrawn by a supervisor of the sending (still lead) agency."""
    return (
        transfer.is_proposed
        and transfer.case.lead_agency_id == transfer.from_agency_id
        and supervises_agency(user, transfer.from_agency_id)
    )


@dataclass(frozen=True)
class TransferSummary:
    """What the receiving supervisors read to decide: the case without the survivor's
    identity (no name, no code of the survivor, no notes)."""

    transfer: CaseTransfer
    case_code: str
    phase_label: str
    first_contact_on: date
    identification_label: str
    risk_label: str
    forms: list[str]
    is_transnational: bool
    exploited_online: bool
    is_child: bool


def transfer_summary(transfer: CaseTransfer, *, today: date) -> TransferSummary:
    """The minimal summary of the transferred case (reads no identifying field)."""
    case = (
        Case.objects.filter(pk=transfer.case_id)
        .select_related("survivor")
        .only(
            "code",
            "phase",
            "first_contact_on",
            "identification_status",
            "risk_level",
            "is_transnational",
            "exploited_online",
            "survivor__birth_year",
        )
        .get()
    )
    forms = [str(form) for form in case.exploitation_forms.order_by("order")]
    return TransferSummary(
        transfer=transfer,
        case_code=case.code,
        phase_label=str(Phase(case.phase).label),
        first_contact_on=case.first_contact_on,
        identification_label=(
            str(IdentificationStatus(case.identification_status).label)
            if case.identification_status
            else ""
        ),
        risk_label=str(RiskLevel(case.risk_level).label) if case.risk_level else "",
        forms=forms,
        is_transnational=case.is_transnational,
        exploited_online=case.exploited_online,
        is_child=presumed_child(case.survivor, on=today),
    )


def incoming_transfers(user: AnyUser) -> QuerySet[CaseTransfer]:
    """Transfers proposed to the agencies the user supervises, the oldest first."""
    if not user.has_perm("cases.supervise"):
        return CaseTransfer.objects.none()
    return (
        CaseTransfer.objects.filter(
            to_agency_id__in=agency_ids_for(user, Role.SUPERVISOR),
            status=TransferStatus.PROPOSED,
        )
        .select_related("case", "from_agency", "to_agency")
        .only(
            "code",
            "status",
            "proposed_on",
            "version",
            "case__code",
            "from_agency__name_ar",
            "from_agency__name_en",
            "to_agency__name_ar",
            "to_agency__name_en",
        )
        .order_by("proposed_on", "id")
    )


# The order of the sending agency's trace: newest first, the transfer's code breaking ties.
TRANSFERS_SENT_ORDER = ("-proposed_on", "-code")


def transfers_sent(user: AnyUser) -> QuerySet[CaseTransfer]:
    """The trace the sending agency keeps of the cases it proposed to hand over: the case
    code, the date, the receiving agency and the status, nothing of the survivor or of the
    case's content."""
    if not user.has_perm("cases.work_cases"):
        return CaseTransfer.objects.none()
    return (
        CaseTransfer.objects.filter(
            from_agency_id__in=agency_ids_for(user, Role.CASE_WORKER, Role.SUPERVISOR)
        )
        .select_related("case", "to_agency")
        .only(
            "code",
            "status",
            "proposed_on",
            "decided_on",
            "case__code",
            "to_agency__name_ar",
            "to_agency__name_en",
        )
        .order_by(*TRANSFERS_SENT_ORDER)
    )


# --- technology-facilitated trafficking -----------------------------------------------------


def online_platforms(*, active_only: bool = True) -> QuerySet[OnlinePlatform]:
    platforms = OnlinePlatform.objects.order_by("order", "id")
    return platforms.filter(is_active=True) if active_only else platforms


def platforms_by_role(case: Case) -> dict[str, list[OnlinePlatform]]:
    """The platforms used in the case, by role (reads the prefetched uses when there are)."""
    by_role: dict[str, list[OnlinePlatform]] = {role: [] for role in PlatformRole.values}
    for use in case.platform_uses.all():
        by_role[use.role].append(use.platform)
    return by_role


def digital_evidence_of(case: Case) -> QuerySet[Any]:
    """The digital evidence references of a case the reader works on, newest first."""
    return names_joined(case.digital_evidence.all(), "recorded_by").order_by("-recorded_on", "-id")
