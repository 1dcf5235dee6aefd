"""The door every list page exports through: a purpose, a recent password, an audit row.

A list page calls ``export_list`` first; when its address asks for ``export=csv`` or
``export=xlsx`` the answer is this door, otherwise ``None`` and the page renders as usual.
The door asks why the list leaves the system (the purpose, and a note when the purpose is
"other") and, unless the user typed their password in the last ten minutes, the password
again (through ``authenticate``, so that the lockout after failed sign-ins counts these
too). The file holds the rows the page's filters select, all pages of them, up to
``MAX_EXPORT_ROWS``; a larger export is refused with a request to narrow the filters. Each
export appends one audit event: the list, the format, the number of rows, the purpose and
the names of the filters used (never their values, which can be a searched name).
"""

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from himaya.audit.actions import record_event
from himaya.audit.labels import PURPOSES
from himaya.core import ratelimit
from himaya.core.tabular import CSV, XLSX, Cell, csv_bytes, xlsx_bytes

EXPORT_FORMATS = {"csv": CSV, "xlsx": XLSX}
MAX_EXPORT_ROWS = 10_000
RECENT_SECONDS = 600
SESSION_KEY = "himaya_reauthenticated_at"
ACTION = "list.exported"

EXPORT_PURPOSES: dict[str, Promise] = {
    code: PURPOSES[code]
    for code in ("reporting", "coordination", "inspection", "statistics", "other")
}


@dataclass(frozen=True)
class Column:
    header: str | Promise
    value: Callable[[Any], Cell]


class ExportForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("Purpose of the export"),
        choices=[("", "—"), *EXPORT_PURPOSES.items()],
        help_text=_("Recorded in the audit trail with the export."),
    )
    note = forms.CharField(
        label=_("Details of the purpose"),
        required=False,
        max_length=300,
        help_text=_("Required when the purpose is “other”. Do not write names."),
    )
    password = forms.CharField(
        label=_("Your password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "dir": "ltr"}),
        help_text=_("Asked again before a list leaves the system."),
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.needs_password = not recently_reauthenticated(request)
        if not self.needs_password:
            del self.fields["password"]
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("purpose") == "other" and not data.get("note"):
            self.add_error("note", _("Say what the export is for."))
        if self.needs_password and not password_confirmed(self.request, data.get("password")):
            self.add_error("password", _("The password is not correct."))
        return data


def password_confirmed(request: HttpRequest, password: str | None) -> bool:
    """Whether ``password`` is the signed-in user's, asked through ``authenticate`` so that
    failures count towards the lockout; a success counts as a recent re-authentication."""
    user = request.user
    if not password or not user.is_authenticated:
        return False
    found = authenticate(request, username=user.get_username(), password=password)
    if found is None or found.pk != user.pk:
        return False
    request.session[SESSION_KEY] = time.time()
    return True


def recently_reauthenticated(request: HttpRequest) -> bool:
    at = request.session.get(SESSION_KEY)
    return isinstance(at, int | float) and 0 <= time.time() - at <= RECENT_SECONDS


def _filters_used(request: HttpRequest) -> list[str]:
    """The names of the filters in the address; the format and a page's place (its number
    or the cursor after which it starts) are not filters."""
    return sorted(
        key
        for key, value in request.GET.items()
        if value and key not in {"export", "page", "after"}
    )


def export_list(
    request: HttpRequest,
    *,
    name: str,
    title: str | Promise,
    columns: Sequence[Column],
    rows: Iterable[Any],
) -> HttpResponse | None:
    """The export door of the list ``name`` when the address asks for one, else ``None``."""
    fmt = request.GET.get("export", "")
    if fmt not in EXPORT_FORMATS:
        return None
    if request.method == "POST":
        wait = ratelimit.spend(request, "list-export", "HIMAYA_EXPORT_RATE")
        if wait is not None:
            return ratelimit.too_many(request, wait)
    form = ExportForm(request.POST or None, request=request)
    too_many = False
    if request.method == "POST" and form.is_valid():
        chosen = list(islice(iter(rows), MAX_EXPORT_ROWS + 1))
        if len(chosen) > MAX_EXPORT_ROWS:
            too_many = True
        else:
            headers = [str(column.header) for column in columns]
            table = ([column.value(row) for column in columns] for row in chosen)
            content = (
                csv_bytes(headers, table)
                if fmt == "csv"
                else xlsx_bytes(str(title), headers, table)
            )
            record_event(
                action=ACTION,
                actor=request.user,
                object_type="list",
                object_code=name,
                purpose=form.cleaned_data["purpose"],
                request=request,
                details={
                    "list": name,
                    "format": fmt,
                    "rows": len(chosen),
                    "filters": _filters_used(request),
                },
            )
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            response = HttpResponse(content, content_type=EXPORT_FORMATS[fmt])
            response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
            return response
    back = request.GET.copy()
    back.pop("export", None)
    return render(
        request,
        "audit/export.html",
        {
            "form": form,
            "title": title,
            "format": fmt.upper(),
            "back": f"{request.path}?{back.urlencode()}" if back else request.path,
            "too_many": too_many,
            # Written with its thousands separator, as every count on the pages.
            "max_rows": f"{MAX_EXPORT_ROWS:,}",
        },
        status=400 if request.method == "POST" else 200,
    )
