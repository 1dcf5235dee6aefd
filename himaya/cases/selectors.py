"""Scoped reads of cases. Every read of a case starts from ``cases_visible_to``."""

from django.db.models import QuerySet
from django.http import Http404

from himaya.agencies.models import Role
from himaya.agencies.selectors import agency_ids_for
from himaya.cases.models import Case
from himaya.core.typing import AnyUser


def cases_visible_to(user: AnyUser) -> QuerySet[Case]:
    """Cases led by an agency in which the user is a case worker or supervisor."""
    if not user.has_perm("cases.work_cases"):
        return Case.objects.none()
    agencies = agency_ids_for(user, Role.CASE_WORKER, Role.SUPERVISOR)
    return Case.objects.filter(lead_agency_id__in=agencies)


def get_case_or_404(user: AnyUser, code: str) -> Case:
    """The case with this code if the user may see it; 404 for missing and forbidden alike."""
    case = (
        cases_visible_to(user).select_related("survivor", "lead_agency").filter(code=code).first()
    )
    if case is None:
        raise Http404
    return case
