"""The outcome of a screening in words, in Arabic and in English (no database)."""

from collections.abc import Mapping

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from himaya.screening import rules
from himaya.screening.models import Dimension, Outcome, outcome_for, rule_name

LANGUAGES = ("ar", "en")


def _counts(result: rules.DimensionResult) -> str:
    parts = []
    if result.strong:
        parts.append(ngettext("%(n)d strong", "%(n)d strong", result.strong) % {"n": result.strong})
    if result.medium:
        parts.append(ngettext("%(n)d medium", "%(n)d medium", result.medium) % {"n": result.medium})
    if result.weak:
        parts.append(ngettext("%(n)d weak", "%(n)d weak", result.weak) % {"n": result.weak})
    return _(", ").join(parts)


def _combination(decision: rules.Decision) -> str:
    if decision.child_rule:
        return _(
            "Child rule (person under 18): a recruitment dimension and exploitation suffice; "
            "means at destination are not required."
        )
    return _(
        "Adult rule: a recruitment dimension (deceptive, coercive or by abuse of "
        "vulnerability), exploitation, and coercion or abuse of vulnerability at destination."
    )


def _reason(decision: rules.Decision) -> str:
    finding = decision.finding
    if finding == rules.Finding.TRAFFICKED:
        return _("All the elements the rule requires are positive.")
    if finding == rules.Finding.DECEIVED_AND_EXPLOITED:
        return _(
            "Recruitment and exploitation are positive, but no dimension of coercion or "
            "abuse of vulnerability at destination: deceived and exploited."
        )
    if finding == rules.Finding.EXPLOITED_NOT_TRAFFICKED and decision.child_rule:
        return _(
            "Exploitation of a child is positive but no recruitment dimension is. A child "
            "is never a labour-rights case: refer the child to child protection at once, "
            "and establish how the child was recruited, moved or received."
        )
    if finding == rules.Finding.EXPLOITED_NOT_TRAFFICKED:
        return _(
            "Exploitation is positive but no recruitment dimension is: exploitation "
            "without trafficking (a labour-rights case)."
        )
    return _("The exploitation dimension is not positive.")


PROVISIONAL = gettext_noop(
    "The indicator set is provisional: its indicators and weights are not yet verified "
    "against the ILO/EC brochure, so this outcome is indicative only."
)


def explain(
    decision: rules.Decision,
    texts: Mapping[str, tuple[str, str]],
    *,
    language: str,
    provisional: bool = False,
) -> str:
    """The explanation in ``language``; ``texts`` maps indicator code → (English, Arabic).
    A ``provisional`` set (weights not verified) is said so after the outcome."""
    with translation.override(language):
        outcome = Outcome(outcome_for(decision)).label
        lines = [_("Outcome: %(outcome)s.") % {"outcome": outcome}]
        if provisional:
            lines.append(_(PROVISIONAL))
        lines += [
            _reason(decision),
            _combination(decision)
            + " "
            + _("Decision rule: %(rule)s.") % {"rule": rule_name(decision.rule_version)},
        ]
        positive = [r for r in decision.dimensions if r.positive]
        if positive:
            lines.append(_("Positive dimensions:"))
            for result in positive:
                names = [
                    texts[code][0 if language == "en" else 1] if code in texts else code
                    for code in result.indicators
                ]
                lines.append(
                    _("• %(dimension)s (%(counts)s): %(indicators)s.")
                    % {
                        "dimension": Dimension(result.dimension).label,
                        "counts": _counts(result),
                        "indicators": _("; ").join(names),
                    }
                )
        else:
            lines.append(_("No dimension is positive."))
        short = [r for r in decision.dimensions if not r.positive and r.indicators]
        if short:
            lines.append(
                _("Indicators observed without reaching the threshold: %(dimensions)s.")
                % {
                    "dimensions": _(", ").join(
                        f"{Dimension(r.dimension).label} ({_counts(r)})" for r in short
                    )
                }
            )
        return "\n".join(str(line) for line in lines)


def explain_both(
    decision: rules.Decision, texts: Mapping[str, tuple[str, str]], *, provisional: bool = False
) -> dict[str, str]:
    return {
        language: explain(decision, texts, language=language, provisional=provisional)
        for language in LANGUAGES
    }
