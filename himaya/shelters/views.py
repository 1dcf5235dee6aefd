"""Pages of the shelters app: thin views over selectors and actions."""

from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from himaya.accounts.acting import acting_user
from himaya.agencies.permissions import require_capability
from himaya.audit.exports import Column, export_list
from himaya.cases.models import Case
from himaya.cases.selectors import get_case_or_404
from himaya.core.errors import DomainError, Forbidden, NotFound
from himaya.core.forms import show_refusal
from himaya.shelters import actions, rules, selectors
from himaya.shelters.forms import (
    AddBedsForm,
    AdmitForm,
    DischargeForm,
    NeedForm,
    ShelterForm,
    TransferForm,
    UnitForm,
)
from himaya.shelters.models import Shelter, Stay
from himaya.shelters.rules import Need


def _explained(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer a refusal (403, or 404 for a record missing or out of scope) with a page
    that says why in the user's language."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (NotFound, Forbidden) as exc:
            message, status = str(exc.message), exc.status
        except Http404 as exc:
            message = str(exc.args[0]) if exc.args else _("There is nothing at this address.")
            status = 404
        except PermissionDenied as exc:
            message = str(exc.args[0]) if exc.args else _("Your role does not allow this.")
            status = 403
        return render(request, "shelters/refused.html", {"message": message}, status=status)

    return wrapped


@login_required
@require_http_methods(["GET", "POST"])  # POST: the export door
def shelter_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "shelters.find_bed", "shelters.manage_stays")
    exported = export_list(
        request,
        name="shelters",
        title=_("Shelters"),
        columns=[
            Column(_("Shelter"), lambda s: s.name),
            Column(_("Governorate"), lambda s: s.governorate.name),
            Column(_("Duty officer phone"), lambda s: s.duty_phone),
            Column(_("Beds in service"), lambda s: s.beds_in_service),
            Column(_("Occupied"), lambda s: s.beds_occupied),
            Column(_("Free"), lambda s: s.beds_free),
        ],
        rows=selectors.shelter_list(request.user),
    )
    if exported is not None:
        return exported
    shelters = list(selectors.shelter_list(request.user))
    return render(
        request,
        "shelters/list.html",
        {"shelters": shelters, "staffed": selectors.staffed_shelter_ids(request.user)},
    )


@login_required
def shelter_detail(request: HttpRequest, code: str) -> HttpResponse:
    require_capability(request.user, "shelters.find_bed", "shelters.manage_stays")
    shelter = selectors.get_shelter_or_404(request.user, code)
    is_staff = selectors.may_manage_shelter(request.user, shelter)
    form = None
    if is_staff:
        form = ShelterForm(
            request.POST or None,
            initial={
                "version": shelter.version,
                "duty_phone": shelter.duty_phone,
                "address": shelter.address,
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                actions.update_shelter(
                    shelter=shelter,
                    by=acting_user(request),
                    expected_version=form.cleaned_data["version"],
                    duty_phone=form.cleaned_data["duty_phone"],
                    address=form.cleaned_data["address"],
                )
            except DomainError as error:
                show_refusal(error, form=form)
            else:
                messages.success(request, _("The shelter's details were saved."))
                return redirect("shelters:detail", code=shelter.code)
    elif request.method == "POST":
        raise PermissionDenied
    residents: list[dict[str, object]] = []
    if is_staff:
        residents = actions.read_residents(shelter=shelter, by=acting_user(request))
    today = timezone.localdate()
    history = list(
        selectors.occupancy_history(
            since=today - timedelta(days=14), until=today, shelter_ids={shelter.pk}
        )
    )
    return render(
        request,
        "shelters/detail.html",
        {
            "shelter": shelter,
            "is_staff": is_staff,
            "can_manage": is_staff,
            "units": selectors.units_with_free_beds(shelter),
            "residents": residents,
            "history": history,
            "form": form,
        },
    )


def _need_from(form: NeedForm) -> Need:
    data = form.cleaned_data
    return Need(
        sex=data["sex"],
        age=data["age"],
        children_ages=data["children_ages"],
        wheelchair=data["wheelchair"],
        language=data["language"] or "",
        security_level=data["security_level"],
    )


@login_required
@require_GET
@_explained
def find_bed(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("case", "")
    actions.require_or_refuse(acting_user(request), "find_bed", "shelters.find_bed", case_code=code)
    case = actions.case_in_scope_or_refuse(acting_user(request), "find_bed", code) if code else None
    partial = bool(request.htmx)  # type: ignore[attr-defined]
    return _find_bed_page(request, request.GET, case=case, partial=partial)


def _find_bed_page(
    request: HttpRequest,
    params: QueryDict,
    *,
    case: Case | None,
    partial: bool = False,
    refusal: str = "",
    status: int = 200,
    failed_unit: int | None = None,
    failed_nights: str = "",
) -> HttpResponse:
    """The search for a bed and its results; after a refused admission, the same search
    again with the reason, and the nights typed for the unit that was refused."""
    searched = "sex" in params
    prefilled = selectors.prefill_allowed(request.user, case) if case is not None else set()
    if searched:
        form = NeedForm(params)
    else:
        form = NeedForm(
            initial=selectors.prefill_for_case(case, prefilled, today=timezone.localdate())
            if case
            else None
        )
    options: list[selectors.ShelterOption] = []
    admit_to: set[int] = set()
    if searched and form.is_valid():
        options = selectors.availability(_need_from(form), near=form.cleaned_data["near"])
        if case is not None:
            admit_to = selectors.admittable_among(
                request.user, case, {option.shelter.pk for option in options}
            )
    template = "shelters/partials/options.html" if partial else "shelters/find_bed.html"
    return render(
        request,
        template,
        {
            "form": form,
            "case": case,
            "prefilled_all": prefilled == set(selectors.PREFILL_FROM_REFERRAL),
            "options": options,
            "searched": searched and form.is_valid(),
            "admit_to": admit_to,
            "query": params.urlencode(),
            "refusal": refusal,
            "failed_unit": failed_unit,
            "failed_nights": failed_nights,
        },
        status=status,
    )


def _search_of(form: AdmitForm, case: Case) -> QueryDict:
    """The search an admission came from, for the case being admitted."""
    search = QueryDict(str(form.cleaned_data.get("search") or ""), mutable=True)
    search["case"] = case.code
    return search


@login_required
@require_POST
@_explained
def admit(request: HttpRequest) -> HttpResponse:
    codes = {
        "case_code": request.POST.get("case", ""),
        "shelter_code": request.POST.get("shelter", ""),
    }
    actions.require_or_refuse(
        acting_user(request), "admit", "shelters.manage_stays", "cases.work_cases", **codes
    )
    form = AdmitForm(request.POST)
    if not form.is_valid() and {"case", "shelter"} & set(form.errors):
        messages.error(request, _("The admission form is incomplete: search again."))
        return redirect("shelters:find_bed")
    data = form.cleaned_data
    case = actions.case_in_scope_or_refuse(
        acting_user(request), "admit", data["case"], data["shelter"]
    )
    shelter = selectors.get_shelter_or_404(request.user, data["shelter"])
    if not selectors.may_admit(request.user, case=case, shelter=shelter):
        actions.refuse_access(
            by=acting_user(request),
            operation="admit",
            missing=False,
            message=_("You may not admit this person into this shelter."),
            **codes,
        )
    failed_unit: int | None = data.get("unit")
    failed_nights = request.POST.get("planned_nights", "")[:4]
    if form.errors:
        reasons = [str(error) for errors in form.errors.values() for error in errors]
        return _find_bed_page(
            request,
            _search_of(form, case),
            case=case,
            refusal=" ".join(reasons),
            status=400,
            failed_unit=failed_unit,
            failed_nights=failed_nights,
        )
    unit = selectors.unit_of(shelter, data["unit"])
    try:
        stay = actions.admit_to_shelter(
            case=case,
            shelter=shelter,
            unit=unit,
            by=acting_user(request),
            planned_nights=data["planned_nights"],
            children_birth_years=[timezone.localdate().year - age for age in data["children_ages"]],
            wheelchair=data["wheelchair"],
            language=data["language"] or "",
            security_level=data["security_level"] or 1,
        )
    except DomainError as error:
        return _find_bed_page(
            request,
            _search_of(form, case),
            case=case,
            refusal=str(error.message),
            status=error.status,
            failed_unit=failed_unit,
            failed_nights=failed_nights,
        )
    messages.success(
        request,
        _("%(code)s was admitted to %(shelter)s.") % {"code": stay.code, "shelter": shelter.name},
    )
    return redirect("shelters:stay", code=stay.code)


@login_required
@require_GET
@_explained
def stay_detail(request: HttpRequest, code: str) -> HttpResponse:
    stay = actions.stay_in_scope_or_refuse(acting_user(request), "read_stay", code)
    return render(request, "shelters/stay.html", _stay_context(request, stay))


def _stay_context(
    request: HttpRequest,
    stay: Stay,
    transfer_form: TransferForm | None = None,
    discharge_form: DischargeForm | None = None,
) -> dict[str, object]:
    can_move = selectors.may_move(request.user, stay=stay)
    shelters = selectors.shelters_visible_to(request.user).select_related("agency")
    return {
        "stay": stay,
        "can_move": can_move,
        "transfer_form": transfer_form
        or TransferForm(initial={"version": stay.version}, shelters=shelters),
        "discharge_form": discharge_form or DischargeForm(initial={"version": stay.version}),
        "nights": rules.nights_between(stay.admitted_on, timezone.localdate()),
    }


@login_required
@require_POST
@_explained
def transfer(request: HttpRequest, code: str) -> HttpResponse:
    stay = actions.stay_in_scope_or_refuse(acting_user(request), "transfer", code)
    if not selectors.may_move(request.user, stay=stay):
        actions.refuse_access(
            by=acting_user(request),
            operation="transfer",
            missing=False,
            message=_("You may not transfer this person to this shelter."),
            stay_code=code,
        )
    shelters = selectors.shelters_visible_to(request.user).select_related("agency")
    form = TransferForm(request.POST, shelters=shelters)
    if form.is_valid():
        try:
            new_stay = actions.transfer_stay(
                stay=stay,
                shelter=form.cleaned_data["shelter"],
                by=acting_user(request),
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            show_refusal(error, form=form)
        else:
            messages.success(request, _("The person was transferred."))
            return redirect("shelters:stay", code=new_stay.code)
    stay.refresh_from_db()
    return render(
        request, "shelters/stay.html", _stay_context(request, stay, transfer_form=form), status=400
    )


@login_required
@require_POST
@_explained
def discharge(request: HttpRequest, code: str) -> HttpResponse:
    stay = actions.stay_in_scope_or_refuse(acting_user(request), "discharge", code)
    if not selectors.may_move(request.user, stay=stay):
        actions.refuse_access(
            by=acting_user(request),
            operation="discharge",
            missing=False,
            message=_("You may not discharge this person."),
            stay_code=code,
        )
    form = DischargeForm(request.POST)
    if form.is_valid():
        try:
            actions.discharge_stay(
                stay=stay,
                destination=form.cleaned_data["destination"],
                by=acting_user(request),
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            show_refusal(error, form=form)
        else:
            messages.success(request, _("The person was discharged."))
            return redirect("shelters:stay", code=stay.code)
    stay.refresh_from_db()
    return render(
        request, "shelters/stay.html", _stay_context(request, stay, discharge_form=form), status=400
    )


@login_required
@require_GET
def case_panel(request: HttpRequest, code: str) -> HttpResponse:
    case = get_case_or_404(request.user, code)
    stay = selectors.current_stay(case)
    # The panel is the case team's (``get_case_or_404``): the whole record fills the form.
    form = NeedForm(
        initial=selectors.prefill_for_case(
            case, set(selectors.PREFILL_FROM_REFERRAL), today=timezone.localdate()
        )
    )
    return render(
        request,
        "shelters/partials/case_panel.html",
        {
            "case": case,
            "stay": stay,
            "history": list(selectors.stays_of_case(case)[:5]),
            "form": form,
            "can_search": request.user.has_perm("shelters.find_bed"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])  # POST: the export door
def occupancy(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "shelters.find_bed", "shelters.manage_stays")
    today = timezone.localdate()
    since = today - timedelta(days=30)
    national = selectors.national_occupancy(since=since, until=today)
    exported = export_list(
        request,
        name="shelter-occupancy",
        title=_("Shelter occupancy"),
        columns=[
            Column(_("Night of"), lambda row: row["on"]),
            Column(_("Beds"), lambda row: row["beds"]),
            Column(_("Occupied"), lambda row: row["occupied"]),
            Column(_("Survivors"), lambda row: row["survivors"]),
            Column(_("Children"), lambda row: row["children"]),
        ],
        rows=national,
    )
    if exported is not None:
        return exported
    return render(
        request,
        "shelters/occupancy.html",
        {
            "national": national,
            "length": selectors.length_of_stay(since=since, until=today),
            "since": since,
            "until": today,
        },
    )


# --- capacity: units and beds (the shelter's own staff) ------------------------------------


def _staffed_shelter(request: HttpRequest, code: str) -> Shelter:
    """The shelter, if the user is its staff: 403 otherwise, 404 when it is out of sight."""
    require_capability(request.user, "shelters.manage_stays")
    shelter = selectors.get_shelter_or_404(request.user, code)
    if not selectors.may_manage_shelter(request.user, shelter):
        raise PermissionDenied
    return shelter


def _units_page(
    request: HttpRequest, shelter: Shelter, *, status: int = 200, **forms: object
) -> HttpResponse:
    units = selectors.units_with_beds(shelter)
    beds_forms = {unit.pk: AddBedsForm(prefix=f"unit{unit.pk}") for unit in units}
    failed = forms.get("beds_form")
    failed_unit = forms.get("beds_unit")
    if isinstance(failed, AddBedsForm) and isinstance(failed_unit, int):
        beds_forms[failed_unit] = failed
    rows = [{"unit": unit, "beds_form": beds_forms[unit.pk]} for unit in units]
    return render(request, "shelters/units.html", {"shelter": shelter, "rows": rows}, status=status)


@login_required
@require_GET
def units(request: HttpRequest, code: str) -> HttpResponse:
    shelter = _staffed_shelter(request, code)
    return _units_page(request, shelter)


@login_required
def unit_add(request: HttpRequest, code: str) -> HttpResponse:
    shelter = _staffed_shelter(request, code)
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = actions.add_unit(
                shelter=shelter, by=acting_user(request), eligibility=form.eligibility()
            )
        except DomainError as error:
            show_refusal(error, form=form)
        else:
            messages.success(request, _("Unit %(unit)s was added.") % {"unit": unit.label})
            return redirect("shelters:units", code=shelter.code)
    return render(
        request,
        "shelters/unit_form.html",
        {"shelter": shelter, "form": form, "unit": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def unit_edit(request: HttpRequest, code: str, unit_id: int) -> HttpResponse:
    shelter = _staffed_shelter(request, code)
    unit = selectors.get_unit_or_404(shelter, unit_id)
    initial = {name: getattr(unit, name) for name in actions.UNIT_FIELDS}
    form = UnitForm(
        request.POST or None, initial={**initial, "version": unit.version}, editing=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_unit(
                unit=unit,
                by=acting_user(request),
                expected_version=form.cleaned_data["version"],
                eligibility=form.eligibility(),
            )
        except DomainError as error:
            show_refusal(error, form=form)
        else:
            messages.success(request, _("Unit %(unit)s was saved.") % {"unit": unit.label})
            return redirect("shelters:units", code=shelter.code)
        unit.refresh_from_db()
    return render(
        request,
        "shelters/unit_form.html",
        {"shelter": shelter, "form": form, "unit": unit},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def beds_add(request: HttpRequest, code: str, unit_id: int) -> HttpResponse:
    shelter = _staffed_shelter(request, code)
    unit = selectors.get_unit_or_404(shelter, unit_id)
    form = AddBedsForm(request.POST, prefix=f"unit{unit.pk}")
    if form.is_valid():
        try:
            added = actions.add_beds(
                unit=unit,
                by=acting_user(request),
                beds=form.cleaned_data["beds"],
                cots=form.cleaned_data["cots"],
            )
        except DomainError as error:
            show_refusal(error, form=form)
        else:
            messages.success(
                request,
                _("%(count)s beds and cots were added to %(unit)s.")
                % {"count": len(added), "unit": unit.label},
            )
            return redirect("shelters:units", code=shelter.code)
    return _units_page(request, shelter, status=400, beds_form=form, beds_unit=unit.pk)


@login_required
@require_POST
def bed_service(request: HttpRequest, code: str, bed_id: int) -> HttpResponse:
    shelter = _staffed_shelter(request, code)
    bed = selectors.get_bed_or_404(shelter, bed_id)
    in_service = request.POST.get("in_service") == "1"
    try:
        actions.set_bed_in_service(bed=bed, by=acting_user(request), in_service=in_service)
    except DomainError as error:
        show_refusal(error, request=request)
        return redirect("shelters:units", code=shelter.code)
    if in_service:
        messages.success(request, _("Bed %(bed)s is back in service.") % {"bed": bed.label})
    else:
        messages.success(request, _("Bed %(bed)s was taken out of service.") % {"bed": bed.label})
    return redirect("shelters:units", code=shelter.code)
