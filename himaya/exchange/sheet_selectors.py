"""Scoped reads of spreadsheets in: an upload is seen by the importers of its agency."""

from django.db.models import QuerySet
from django.http import Http404

from himaya.agencies.models import Agency, Role
from himaya.agencies.selectors import agency_ids_for
from himaya.core.typing import AnyUser
from himaya.exchange.sheet_models import SheetImport

CAPABILITIES = ("survivors.register", "cases.work_cases")


def may_import(user: AnyUser, agency: Agency | None = None) -> bool:
    """Whether the user may import spreadsheets (for ``agency``, when given)."""
    if not user.is_authenticated or not all(user.has_perm(name) for name in CAPABILITIES):
        return False
    return agency is None or (
        agency.is_active and agency.pk in agency_ids_for(user, Role.CASE_WORKER, Role.SUPERVISOR)
    )


def importing_agencies(user: AnyUser) -> QuerySet[Agency]:
    """The agencies for which the user may import (those where they register survivors)."""
    if not may_import(user):
        return Agency.objects.none()
    ids = agency_ids_for(user, Role.CASE_WORKER, Role.SUPERVISOR)
    return Agency.objects.filter(pk__in=ids, is_active=True).order_by("name_en")


def sheet_imports_visible_to(user: AnyUser) -> QuerySet[SheetImport]:
    """The uploads of the agencies where the user registers survivors (none otherwise)."""
    if not may_import(user):
        return SheetImport.objects.none()
    agencies = agency_ids_for(user, Role.CASE_WORKER, Role.SUPERVISOR)
    return SheetImport.objects.filter(agency_id__in=agencies).select_related(
        "agency", "uploaded_by"
    )


def get_sheet_import_or_404(user: AnyUser, code: str) -> SheetImport:
    """One upload by its code; 404 for missing and out of scope alike."""
    found = sheet_imports_visible_to(user).filter(code=code).first()
    if found is None:
        raise Http404
    return found
