"""The dashboard's figures kept in the ``pages`` cache under the edition of the daily values:
served again without reading the values, never across an edition, a language, a reader's
view of small cells or a filter, and a new edition with every write of the values or of a
setting."""

import datetime
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from time_machine import TimeMachineFixture

from himaya.accounts.models import User
from himaya.agencies.models import Role
from himaya.monitoring import actions, figures, selectors, tasks
from himaya.monitoring.models import DailyValue, Edition
from himaya.monitoring.tests.samples import VALUES_DAY as DAY
from himaya.monitoring.tests.test_pages_and_api import DASHBOARD

pytestmark = pytest.mark.django_db

HIDDEN = "hidden (small number)"


@pytest.fixture
def pages_cache(settings: pytest.FixtureRequest) -> Iterator[None]:
    """The ``pages`` cache on, in this process's memory, empty at the start and the end."""
    settings.CACHES = {  # type: ignore[attr-defined]
        **settings.CACHES,  # type: ignore[attr-defined]
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "himaya-pages-test",
        },
    }
    caches["pages"].clear()
    yield
    caches["pages"].clear()


def signed_in(user: User, language: str = "en") -> Client:
    """A client of its own for ``user`` (second factor verified), reading ``language``."""
    client = Client()
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return client


def monitoring_queries(client: Client, path: str = DASHBOARD) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    sql = [q["sql"] for q in captured.captured_queries if '"monitoring_' in q["sql"]]
    return response.content.decode(), sql


def main(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def breakdown(page: str) -> list[tuple[str, str]]:
    table = page[page.index('data-testid="breakdown"') :]
    table = table[: table.index("</table>")]
    return re.findall(r"<tr><td>([^<]*)</td><td class=\"text-end\">([^<]*)</td></tr>", table)


def test_the_second_reader_gets_the_same_figures_reading_only_the_edition(
    personas: dict[str, User], values: None, pages_cache: None
) -> None:
    client = signed_in(personas[Role.ANALYST])
    first, first_sql = monitoring_queries(client)
    second, second_sql = monitoring_queries(client)
    assert len(first_sql) == 6
    assert len(second_sql) == 1 and '"monitoring_edition"' in second_sql[0]
    assert main(second) == main(first)
    assert breakdown(second) == [("Female", HIDDEN), ("Male", HIDDEN)]


def test_figures_change_with_a_new_edition_and_not_before(
    personas: dict[str, User], values: None, pages_cache: None
) -> None:
    client = signed_in(personas[Role.SUPERVISOR])
    monitoring_queries(client)
    DailyValue.objects.filter(day=DAY, cell="sex=female").update(numerator=7, value=7)
    assert breakdown(monitoring_queries(client)[0]) == [("Female", "9"), ("Male", "3")]
    actions.new_edition()
    assert breakdown(monitoring_queries(client)[0]) == [("Female", "7"), ("Male", "3")]


def test_a_reader_who_may_see_identity_never_gets_the_figures_kept_for_an_analyst(
    personas: dict[str, User], values: None, pages_cache: None
) -> None:
    analyst = signed_in(personas[Role.ANALYST])
    supervisor = signed_in(personas[Role.SUPERVISOR])
    assert breakdown(monitoring_queries(analyst)[0]) == [("Female", HIDDEN), ("Male", HIDDEN)]
    page, sql = monitoring_queries(supervisor)
    assert len(sql) == 6
    assert breakdown(page) == [("Female", "9"), ("Male", "3")]
    # and the other way round: the analyst is still served the suppressed figures
    assert breakdown(monitoring_queries(analyst)[0]) == [("Female", HIDDEN), ("Male", HIDDEN)]


def test_each_language_and_each_filter_has_figures_of_its_own(
    personas: dict[str, User], values: None, pages_cache: None
) -> None:
    english = signed_in(personas[Role.ANALYST])
    arabic = signed_in(personas[Role.ANALYST], "ar")
    monitoring_queries(english)
    page, sql = monitoring_queries(arabic)
    assert len(sql) == 6
    assert breakdown(page) == [("أنثى", "مخفي (عدد صغير)"), ("ذكر", "مخفي (عدد صغير)")]
    by_governorate = DASHBOARD.replace("dimension=sex", "dimension=gov")
    page, sql = monitoring_queries(english, by_governorate)
    # The English cards are kept; the breakdown is by governorate: the map reads no more.
    assert len(sql) == 4
    assert breakdown(page) == [("Cairo", "12")]


def cards(page: str) -> str:
    return page[page.index('data-testid="cards"') : page.index('id="spark-data"')]


def totals_read(sql: list[str]) -> list[str]:
    """The cards' query: every indicator's totals of the month."""
    return [q for q in sql if '"monitoring_dailyvalue"."indicator" IN' in q]


def test_another_view_reads_its_own_values_and_keeps_every_indicator_card(
    personas: dict[str, User], values: None, pages_cache: None
) -> None:
    client = signed_in(personas[Role.ANALYST])
    first, first_sql = monitoring_queries(client)
    assert len(totals_read(first_sql)) == 1
    other_view = DASHBOARD.replace("dimension=sex", "dimension=gov")
    page, sql = monitoring_queries(client, other_view)
    assert totals_read(sql) == []
    assert breakdown(page) == [("Cairo", "12")]
    assert cards(page) == cards(first)
    one_member, sql = monitoring_queries(client, DASHBOARD + "&member=female")
    assert totals_read(sql) == []  # a member's trend is drawn afresh, but not the cards
    assert cards(one_member) == cards(first)
    caches["pages"].clear()
    drawn_afresh, sql = monitoring_queries(client, other_view)
    assert len(totals_read(sql)) == 1
    assert main(drawn_afresh) == main(page)


def test_the_kept_cards_end_with_a_new_edition(
    personas: dict[str, User], values: None, pages_cache: None
) -> None:
    client = signed_in(personas[Role.SUPERVISOR])
    first = monitoring_queries(client)[0]
    DailyValue.objects.filter(day=DAY, dimension="").update(numerator=41, value=41)
    actions.new_edition()
    page, sql = monitoring_queries(client, DASHBOARD.replace("dimension=sex", "dimension=gov"))
    assert len(totals_read(sql)) == 1
    assert cards(page) != cards(first)
    assert ">41<" in cards(page)


def test_the_figures_are_served_as_markup_and_the_reader_keeps_their_own_parts(
    personas: dict[str, User], values: None, pages_cache: None
) -> None:
    analyst = signed_in(personas[Role.ANALYST])
    administrator = signed_in(personas[Role.ADMINISTRATOR])
    monitoring_queries(administrator)
    page, sql = monitoring_queries(analyst)
    assert len(sql) == 1
    assert '<form method="get"' in page and "&lt;form" not in page
    assert personas[Role.ANALYST].get_username() in page
    assert personas[Role.ADMINISTRATOR].get_username() not in page


def test_words_typed_in_the_address_beyond_the_filters_share_the_figures_and_leave_them(
    personas: dict[str, User], values: None, pages_cache: None
) -> None:
    client = signed_in(personas[Role.ANALYST])
    monitoring_queries(client)
    page, sql = monitoring_queries(client, DASHBOARD + "&x=%3Cscript%3E")
    assert len(sql) == 1
    figures = main(page)
    assert "script" not in figures[: figures.index("</form>")]
    assert (
        "/monitoring/export.csv?indicator=identified_victims&amp;dimension=sex&amp;days=7"
        in figures
    )


def test_computing_the_values_and_changing_a_setting_each_make_a_new_edition(
    personas: dict[str, User],
) -> None:
    assert selectors.edition() == ""
    actions.compute_indicators(start=DAY, end=DAY)
    computed = selectors.edition()
    assert re.fullmatch(r"[0-9a-f]{32}", computed)
    actions.change_indicator_setting(
        code="identified_victims",
        target=Decimal(10),
        warning=None,
        critical=None,
        expected_version=None,
        by=personas[Role.ADMINISTRATOR],
    )
    changed = selectors.edition()
    assert changed not in ("", computed)
    assert Edition.objects.count() == 1


def test_a_refused_setting_keeps_the_edition(personas: dict[str, User]) -> None:
    actions.compute_indicators(start=DAY, end=DAY)
    before = selectors.edition()
    with pytest.raises(actions.Invalid):
        actions.change_indicator_setting(
            code="identified_victims",
            target=Decimal(10),
            warning=Decimal(5),
            critical=Decimal(8),
            expected_version=None,
            by=personas[Role.ADMINISTRATOR],
        )
    assert selectors.edition() == before


def test_the_edition_row_is_made_again_when_it_is_missing() -> None:
    actions.new_edition()
    Edition.objects.all().delete()
    actions.new_edition()
    assert Edition.objects.get().pk == 1


def test_a_day_changing_under_the_cache_is_shown_from_the_next_day(
    personas: dict[str, User], values: None, pages_cache: None, time_machine: TimeMachineFixture
) -> None:
    zone = timezone.get_current_timezone()
    time_machine.move_to(datetime.datetime(2026, 3, 20, 23, 58, tzinfo=zone))
    client = signed_in(personas[Role.ANALYST])
    path = "/monitoring/?indicator=identified_victims"
    monitoring_queries(client, path)
    _, sql = monitoring_queries(client, path)
    assert len(sql) == 1
    time_machine.move_to(datetime.datetime(2026, 3, 21, 0, 1, tzinfo=zone))
    _, sql = monitoring_queries(client, path)
    assert len(sql) == 6


def test_figures_kept_by_another_release_of_the_code_are_not_served(
    personas: dict[str, User], values: None, pages_cache: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = signed_in(personas[Role.ANALYST])
    monitoring_queries(client)
    assert len(monitoring_queries(client)[1]) == 1
    monkeypatch.setattr(figures, "drawn_by", lambda: "another-release")
    assert len(monitoring_queries(client)[1]) == 6


def test_the_code_that_draws_the_figures_is_read_from_files_that_exist() -> None:
    missing = [name for name in figures.DRAWN_BY if not (figures.APP_DIR / name).exists()]
    # the compiled catalogue is made by ``make messages``; every other file is the app's
    assert missing in ([], ["locale/ar/LC_MESSAGES/django.mo"])
    assert re.fullmatch(r"[0-9a-f]{16}", figures.drawn_by())


@pytest.mark.parametrize("asked", [f"&end={DAY}", "&end=2026-13-45", f"&member=female&end={DAY}"])
def test_a_view_of_a_chosen_day_is_drawn_afresh_each_time_cards_included(
    personas: dict[str, User], values: None, pages_cache: None, asked: str
) -> None:
    client = signed_in(personas[Role.ANALYST])
    first = monitoring_queries(client, DASHBOARD + asked)[1]
    second = monitoring_queries(client, DASHBOARD + asked)[1]
    assert len(second) == len(first) >= 4  # the values and settings read again
    assert len(totals_read(first)) == len(totals_read(second)) == 1
    assert not [sql for sql in first + second if '"monitoring_edition"' in sql]
    assert not caches["pages"]._cache  # type: ignore[attr-defined]  # nothing kept


@pytest.mark.parametrize("asked", ["&member=female", "&member=x" * 3])
def test_a_view_of_one_members_trend_is_drawn_afresh_each_time_beside_the_kept_cards(
    personas: dict[str, User], values: None, pages_cache: None, asked: str
) -> None:
    client = signed_in(personas[Role.ANALYST])
    first_page, first = monitoring_queries(client, DASHBOARD + asked)
    second_page, second = monitoring_queries(client, DASHBOARD + asked)
    assert len(totals_read(first)) == 1
    assert totals_read(second) == []
    # The view's values and settings are read again, after the edition that keys the cards.
    assert len(second) == len(first) - 1 >= 4
    assert '"monitoring_edition"' in second[0]
    assert main(second_page) == main(first_page)
    assert len(caches["pages"]._cache) == 1  # type: ignore[attr-defined]  # the cards only


def test_a_wrong_filter_gets_the_figures_of_the_view_shown_and_names_that_view(
    personas: dict[str, User], values: None, pages_cache: None
) -> None:
    client = signed_in(personas[Role.ANALYST])
    monitoring_queries(client, "/monitoring/?days=90")
    page, sql = monitoring_queries(client, "/monitoring/?indicator=nothing&dimension=x&days=٩٠")
    assert len(sql) == 1
    figures = main(page)
    first = figures.index('id="id_indicator"')
    selected = re.findall(r'<option value="([^"]+)" selected>', figures[first:])
    assert selected[:2] == ["screenings", "90"]
    assert "/monitoring/export.csv?indicator=screenings&amp;days=90" in figures


OPENING = "/monitoring/"


@pytest.fixture
def small_screenings(values: None) -> None:
    """Three screenings on the last day: a small total, shown by the opening view's card and
    chart to a reader who sees small cells and hidden from one who does not."""
    DailyValue.objects.create(
        indicator="screenings", day=DAY, cell="", numerator=Decimal(3), value=Decimal(3)
    )


def test_the_first_readers_of_an_edition_are_served_what_the_queue_drew_for_them(
    personas: dict[str, User], small_screenings: None, pages_cache: None
) -> None:
    readers = [
        (role, language) for role in (Role.ANALYST, Role.SUPERVISOR) for language in ("en", "ar")
    ]
    assert figures.warm() == 4
    served = {}
    for role, language in readers:
        page, sql = monitoring_queries(signed_in(personas[role], language), OPENING)
        assert len(sql) == 1 and '"monitoring_edition"' in sql[0]
        served[(role, language)] = main(page)
    # Drawn afresh, each reader gets what was drawn for them, and the two views differ.
    caches["pages"].clear()
    for role, language in readers:
        page, sql = monitoring_queries(signed_in(personas[role], language), OPENING)
        assert len(sql) == 5  # the opening indicator has no map to read
        assert main(page) == served[(role, language)]
    assert served[(Role.ANALYST, "en")] != served[(Role.SUPERVISOR, "en")]
    assert served[(Role.ANALYST, "en")] != served[(Role.ANALYST, "ar")]


def test_drawing_again_under_the_same_edition_draws_nothing(
    small_screenings: None, pages_cache: None
) -> None:
    assert figures.warm() == 4
    assert figures.warm() == 0
    actions.new_edition()
    assert figures.warm() == 4


def test_the_queue_draws_the_opening_view_after_a_computation_that_made_a_new_edition(
    personas: dict[str, User], pages_cache: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(figures, "kept_for_every_process", lambda: True)
    drawn: list[int] = []
    warm = figures.warm
    monkeypatch.setattr(figures, "warm", lambda: drawn.append(warm()) or drawn[-1])
    tasks.drawn_for_first_readers(lambda: actions.compute_indicators(start=DAY, end=DAY))
    assert drawn == [4]
    _page, sql = monitoring_queries(signed_in(personas[Role.ANALYST]), OPENING)
    assert len(sql) == 1
    # Computed again with nothing changed: the same edition, nothing drawn.
    tasks.drawn_for_first_readers(lambda: actions.compute_indicators(start=DAY, end=DAY))
    assert drawn == [4]


def test_the_queue_draws_nothing_for_a_cache_kept_in_its_own_process_memory(
    personas: dict[str, User], pages_cache: None
) -> None:
    assert not figures.kept_for_every_process()
    tasks.drawn_for_first_readers(lambda: actions.compute_indicators(start=DAY, end=DAY))
    assert len(monitoring_queries(signed_in(personas[Role.ANALYST]), OPENING)[1]) == 5
