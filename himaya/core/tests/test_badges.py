"""Status badges: a colour by state, and always the state's name in words."""

import pytest
from django.template import Context, Template
from django.utils import translation

from himaya.core.templatetags.badges import CLASSES, TONES, badge_class, tone_of
from himaya.fund.models import Status as PaymentStatus
from himaya.referrals.models import Status as ReferralStatus


def render(source: str, **context: object) -> str:
    return Template("{% load badges %}" + source).render(Context(context))


def test_a_badge_shows_the_translated_state_and_its_colour() -> None:
    with translation.override("ar"):
        label = str(ReferralStatus.DECLINED.label)  # read in Arabic, whatever is active later
        html = render(
            '{% status_badge state label testid="referral-status" %}',
            state=ReferralStatus.DECLINED,
            label=label,
        )
    assert html == (
        '<span class="badge text-bg-danger" data-status="declined" '
        f'data-testid="referral-status">{label}</span>'
    )
    assert label == "مُعتذَر عنها"


def test_a_state_the_map_does_not_know_is_neutral_and_still_shows_its_words() -> None:
    html = render("{% status_badge 'on_hold' 'On hold' %}")
    assert html == '<span class="badge text-bg-secondary" data-status="on_hold">On hold</span>'


def test_a_badge_without_a_label_shows_the_state_rather_than_nothing() -> None:
    assert render("{% status_badge 'paid' '' %}") == (
        '<span class="badge text-bg-success" data-status="paid">paid</span>'
    )


def test_the_label_is_escaped() -> None:
    html = render("{% status_badge 'sent' label %}", label="<b>x</b>")
    assert "&lt;b&gt;x&lt;/b&gt;" in html


@pytest.mark.parametrize(
    ("state", "css"),
    [
        (PaymentStatus.REQUESTED, "text-bg-warning"),
        (PaymentStatus.APPROVED, "text-bg-success"),
        (PaymentStatus.REJECTED, "text-bg-danger"),
        (PaymentStatus.PAID, "text-bg-success"),
        (PaymentStatus.REVERSED, "text-bg-danger"),
        (ReferralStatus.SENT, "text-bg-warning"),
        (ReferralStatus.ACCEPTED, "text-bg-success"),
        (ReferralStatus.COMPLETED, "text-bg-success"),
        (ReferralStatus.CANCELLED, "text-bg-danger"),
    ],
)
def test_each_state_of_a_payment_and_a_referral_has_its_tone(state: str, css: str) -> None:
    assert badge_class(state) == css


def test_every_tone_maps_to_a_class_with_readable_text() -> None:
    # Bootstrap's text-bg-* classes pick dark text on warning and info, white on the rest:
    # each pair keeps at least 4.5:1.
    assert {tone_of(state) for state in TONES} <= set(CLASSES)
    assert set(CLASSES.values()) == {
        "text-bg-danger",
        "text-bg-warning",
        "text-bg-success",
        "text-bg-info",
        "text-bg-secondary",
    }
