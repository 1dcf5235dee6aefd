"""The control and emergency centre in a real browser, in Arabic: an operator records a
hotline report of a child, the emergency alert appears, the operator opens an incident
and assigns a task to the police; the police officer sees the notification and completes
the task, and the board shows it done."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from himaya.accounts.tests.factories import PASSWORD, UserFactory
from himaya.agencies.models import AgencyKind, Governorate, Membership, Role
from himaya.agencies.tests.factories import AgencyFactory
from himaya.operations.models import Alert, IncidentTask, TaskStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def cairo(db: None) -> Governorate:
    """Transactional tests flush the governorates loaded by migrations: put Cairo back."""
    governorate, _ = Governorate.objects.get_or_create(
        code="EG-C", defaults={"name_ar": "القاهرة", "name_en": "Cairo"}
    )
    return governorate


def test_a_hotline_report_of_a_child_becomes_a_police_task_done_on_the_board(
    page: Page,
    live_server: Any,
    sign_in: Callable[..., None],
    screenshot: Callable[..., Any],
    settings: Any,
    cairo: Governorate,
) -> None:
    settings.DEMO_SKIP_OTP = True
    centre = AgencyFactory(kind=AgencyKind.COMMAND_CENTRE, governorate=cairo)
    police = AgencyFactory(
        kind=AgencyKind.POLICE, governorate=cairo, name_ar="شرطة مكافحة الاتجار", name_en="Police"
    )
    Membership.objects.create(
        user=UserFactory(username="khaled"), agency=centre, role=Role.OPERATOR
    )
    Membership.objects.create(
        user=UserFactory(username="amr"), agency=police, role=Role.PARTNER_STAFF
    )

    sign_in(page, "khaled", PASSWORD)
    page.goto(f"{live_server.url}/operations/intake/new/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("select[name=channel]").select_option("hotline")
    page.fill("textarea[name=summary]", "طفلة تعمل في منزل وتمنع من الخروج")
    page.check("input[name=about_child]")
    page.locator("select[name=governorate]").select_option(label="القاهرة")
    page.get_by_test_id("intake-form").locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    alert = Alert.objects.get()

    page.goto(f"{live_server.url}/operations/")
    board_alerts = page.get_by_test_id("board-alerts")
    expect(board_alerts.locator(f"a:text('{alert.code}')")).to_be_visible()
    board_alerts.locator(f"a:text('{alert.code}')").click()
    page.wait_for_load_state("networkidle")
    form = page.get_by_test_id("incident-form")
    form.locator("select[name=kind]").select_option("child_at_risk")
    form.locator("input[name=title]").fill("طفلة في عمل منزلي")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    task_form = page.get_by_test_id("task-form")
    task_form.locator("select[name=task-kind]").select_option("police")
    task_form.locator("select[name=task-agency]").select_option(str(police.pk))
    task_form.locator("input[name=task-description]").fill("زيارة العنوان خلال ساعتين")
    task_form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    task = IncidentTask.objects.get()
    expect(page.get_by_test_id("tasks")).to_contain_text(task.code)
    screenshot(page, "operations-incident")

    page.context.clear_cookies()
    sign_in(page, "amr", PASSWORD)
    expect(page.get_by_test_id("unread-count")).to_be_visible()
    page.get_by_test_id("notifications-link").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("main")).to_contain_text(task.code)
    page.goto(f"{live_server.url}/operations/tasks/{task.code}/")
    update = page.get_by_test_id("task-update")
    update.locator("select[name=status]").select_option("done")
    update.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE

    page.context.clear_cookies()
    sign_in(page, "khaled", PASSWORD)
    page.goto(f"{live_server.url}/operations/")
    row = page.get_by_test_id("board-tasks").locator("tr", has_text=task.code)
    expect(row).to_have_class("table-success")
    screenshot(page, "operations-board")
