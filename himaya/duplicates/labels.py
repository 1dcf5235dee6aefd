"""What the reviewer reads for each reason of a score, in the active language."""

from typing import Any

from django.utils.translation import gettext_lazy as _

REASON_LABELS: dict[str, Any] = {
    "names_same": _("Same name (in either script)"),
    "names_swapped": _("Same name parts in another order"),
    "names_part_missing": _("Same name with a part left out"),
    "names_subset": _("One name contained in the other"),
    "names_one_close": _("Same name with one part spelled differently"),
    "names_close_part_missing": _("Same name with a part left out and one spelled differently"),
    "names_one_different": _("Names differing in one part"),
    "names_frequency": _("How common the shared name parts are"),
    # Reasons stored by earlier versions of the scoring.
    "names_close": _("Very close names"),
    "names_similar": _("Similar names"),
    "names_different": _("Different names"),
    "birth_same_date": _("Same date of birth"),
    "birth_close_date": _("Dates of birth one digit apart, or day and month swapped"),
    "birth_other_date": _("Different dates of birth"),
    "birth_same_year": _("Same year of birth"),
    "birth_one_year": _("Years of birth one year apart"),
    "birth_three_years": _("Years of birth two or three years apart"),
    "birth_six_years": _("Years of birth four to six years apart"),
    "birth_close": _("Years of birth at most 3 years apart"),
    "birth_different": _("Different years of birth"),
    "sex_same": _("Same sex"),
    "sex_different": _("Different sex"),
    "nationality_same": _("Same nationality"),
    "nationality_different": _("Different nationality"),
    "document_same": _("Same document number"),
    "document_close": _("Document numbers one character apart"),
    "document_different": _("Different document numbers"),
    "phone_same": _("Same phone number"),
    "phone_different": _("Different phone numbers"),
}


def describe(reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored reasons as labels with their weight and direction, strongest first."""
    described = []
    for reason in reasons:
        code = str(reason.get("reason", ""))
        weight = float(reason.get("weight", 0))
        described.append(
            {
                "label": REASON_LABELS.get(code, code),
                "weight": round(weight, 1),
                "for_match": weight > 0,
            }
        )
    return described
