"""Spreadsheets in: the navigation entry and the audit trail's words for its events."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from himaya.audit.labels import register_actions
from himaya.core.nav import NavItem, register

register(
    NavItem(
        key="exchange_sheets",
        label=_("Spreadsheet import"),
        url_name="exchange_sheets:upload",
        permission="survivors.register",
        description=_("Survivors and cases from your agency's spreadsheets, checked first"),
        order=24,
    ),
)

register_actions(
    {
        "exchange.sheet_uploaded": pgettext_lazy("audit trail", "Spreadsheet uploaded"),
        "exchange.sheet_previewed": pgettext_lazy("audit trail", "Spreadsheet checked"),
        "exchange.sheet_confirmed": pgettext_lazy("audit trail", "Spreadsheet import confirmed"),
        "exchange.sheet_imported": pgettext_lazy("audit trail", "Spreadsheet imported"),
        "exchange.sheet_failed": pgettext_lazy("audit trail", "Spreadsheet import stopped"),
        "exchange.sheet_expired": pgettext_lazy("audit trail", "Spreadsheet upload expired"),
    }
)
