from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from himaya.audit import labels
from himaya.core.forms import DateInput, StyledForm

# The groups of the action chooser: the value of a group's first option is the prefix
# that its actions share ("shelter" covers ``shelter.*`` and ``shelters.*``).
ACTION_GROUPS: list[tuple[str, Promise]] = [
    ("auth.", _("Sign-in and sessions")),
    ("admin.", _("Administration site")),
    ("agencies.", _("Agencies and memberships")),
    ("survivor", _("Survivors")),
    ("screening.", _("Screening")),
    ("case.", _("Cases")),
    ("care_plan.", _("Care plans")),
    ("service.", _("Services")),
    ("referral.", _("Referrals")),
    ("shelter", _("Shelters")),
    ("fund.", _("Assistance fund")),
    ("grants.", _("Grants")),
    ("empowerment.", _("Empowerment")),
]


def action_choices() -> list[tuple[str, Any]]:
    """Every known action under its group, in the reader's language, never a code."""
    choices: list[tuple[str, Any]] = [("", _("All actions"))]
    known = labels.ACTIONS
    placed: set[str] = set()
    for prefix, group in ACTION_GROUPS:
        codes = [code for code in known if code.startswith(prefix) and code not in placed]
        if not codes:
            continue
        placed.update(codes)
        options = sorted(((code, str(known[code])) for code in codes), key=lambda o: o[1])
        choices.append((str(group), [(prefix, _("All: %(group)s") % {"group": group}), *options]))
    rest = sorted(((c, str(known[c])) for c in known if c not in placed), key=lambda o: o[1])
    if rest:
        choices.append((str(_("Other actions")), rest))
    return choices


class EventFilterForm(StyledForm):
    action = forms.ChoiceField(label=_("Action"), required=False, choices=action_choices)
    actor = forms.CharField(label=_("Username"), required=False, max_length=150)
    object_code = forms.CharField(
        label=_("Record code"),
        required=False,
        max_length=64,
        help_text=_("A case, survivor or referral code, written in full."),
    )
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # a compact filter bar
            field.widget.attrs["class"] += " form-control-sm"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data
