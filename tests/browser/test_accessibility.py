"""Every main page passes axe-core's WCAG 2.1 A/AA and best-practice rules in a real browser.

The demo is seeded once; one user of each demo role signs in through the login page (with
the second factor where the role needs one) and visits the home page, each page of their
navigation and the pages their work leads to, found by following their links: a case, a
care plan, a survivor, a screening, a referral, a service delivery, a shelter, a payment
request, a grant, an enrolment, and the forms that start them. The pages are checked in
Arabic, the default language, and the shell and navigation pages of two roles in English;
each address is checked once per language, the home page (which shows the role's
navigation) once per role. The login page, the second-factor page and a page that is not
found are checked too, as are search results swapped in by htmx, and the keyboard path
from the skip link into the content. A failure lists every violation by rule and element,
with the pages where it was found.
"""

import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, BrowserContext, Page

from himaya.accounts.demo import DEMO_PASSWORD, USERS
from himaya.accounts.models import User
from himaya.core.nav import items_for
from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# WCAG 2.0 and 2.1, levels A and AA (colour contrast of 4.5:1 for text included), and
# axe's best practices (landmarks, every content inside a region, heading order, one h1).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
AXE_OPTIONS: dict[str, Any] = {
    "runOnly": {"type": "tag", "values": TAGS},
    "resultTypes": ["violations"],
}

# The users whose home and navigation pages are also checked in English.
ENGLISH_USERS = ("caseworker", "fund.approver")

# axe-core as bundled by axe-playwright-python, loaded into every page of a context.
#
# axe leaves out of its colour-contrast rule any text it takes for an icon font's ligature:
# it draws the first letter and the whole word and compares them. Joined Arabic letters
# differ from their isolated forms in just that way, so without the patch below axe skips
# almost every Arabic word (it remembers the verdict per font family). The project uses no
# icon fonts: the patch tells axe that no font draws ligature icons, so Arabic text is
# measured like any other.
NO_ICON_LIGATURES = """
(() => {
  const get = axe._cache.get;
  const plainText = new Proxy({}, { get: () => ({ occurrences: 3, numLigatures: 0 }) });
  axe._cache.get = function (key, creator) {
    return key === "fonts" ? plainText : get.call(this, key, creator);
  };
})();
"""
AXE_SCRIPT: str = Axe().axe_script + NO_ICON_LIGATURES


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    target: str
    page: str
    help: str


def check(page: Page, label: str) -> list[Violation]:
    """Run axe on the page as it is now and list its violations."""
    # Colours are read in their final state: not halfway through a button's transition
    # (Bootstrap drops them for readers who ask for reduced motion), nor under the pointer
    # that just clicked it.
    page.emulate_media(reduced_motion="reduce")
    page.mouse.move(0, 0)
    results: dict[str, Any] = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    found = []
    for violation in results["violations"]:
        for node in violation["nodes"]:
            found.append(
                Violation(
                    rule=violation["id"],
                    impact=violation.get("impact") or "",
                    target=" ".join(str(part) for part in node["target"]),
                    page=label,
                    help=violation["help"],
                )
            )
    return found


# The record pages a role's work leads to, found by following the first link of each kind
# from the role's own pages (so each record is one the role may see).
RECORDS = {
    "case": re.compile(r"^/cases/CS-[A-Z0-9-]+/$"),
    "care plan": re.compile(r"^/cases/care-plans/[A-Z0-9-]+/$"),
    "survivor": re.compile(r"^/survivors/SV-[A-Z0-9-]+/$"),
    "screening": re.compile(r"^/screening/SC-[A-Z0-9-]+/$"),
    "referral": re.compile(r"^/referrals/RF-[A-Z0-9-]+/$"),
    "service delivery": re.compile(r"^/services/deliveries/[A-Z0-9-]+/$"),
    "shelter": re.compile(r"^/shelters/SH-[A-Z0-9-]+/$"),
    "stay": re.compile(r"^/shelters/stays/[A-Z0-9-]+/$"),
    "payment request": re.compile(r"^/fund/payments/[A-Z0-9-]+/$"),
    "grant": re.compile(r"^/grants/GR-[A-Z0-9-]+/$"),
    "enrolment": re.compile(r"^/empowerment/enrolments/[A-Z0-9-]+/$"),
    # the forms that start the work
    "survivor form": re.compile(r"^/survivors/register/$"),
    "screening form": re.compile(r"^/screening/start/"),
    "case form": re.compile(r"^/cases/open/"),
    "referral form": re.compile(r"^/referrals/new/\?case="),
    "payment request form": re.compile(r"^/fund/request/"),
    "grant form": re.compile(r"^/grants/new/$"),
    "programme referral form": re.compile(r"^/empowerment/refer/"),
    "admission form": re.compile(r"^/shelters/admit/"),
}


def links_on(page: Page) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all(
        "main a[href]", "links => links.map(link => link.getAttribute('href'))"
    )
    return [href.split("#")[0] for href in hrefs]


def open_page(page: Page, address: str) -> int:
    """Go to the page and wait until its fragments (panels loaded by htmx) are in."""
    response = page.goto(address, wait_until="load")
    assert response is not None
    if page.locator("[hx-trigger=load]").count():
        page.wait_for_load_state("networkidle")
    return response.status


class Walk:
    """Checks pages and keeps every violation found."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.found: list[Violation] = []
        self.checked: set[tuple[str, str]] = set()
        self.sign_ins: dict[str, int] = {}
        self.kinds: set[tuple[str, str]] = set()
        self.too_wide: list[str] = []

    def context(self, browser: Browser, language: str) -> BrowserContext:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": "himaya_language", "value": language, "url": self.base}])
        context.add_init_script(script=AXE_SCRIPT)
        return context

    def visit(
        self, page: Page, label: str, address: str, *, expect: int = 200, again: bool = False
    ) -> bool:
        """Check the page, unless another role already had it checked in this language
        (``again`` checks it for every role: the home page and its navigation)."""
        language = label.rsplit("(", 1)[-1].rstrip(")")
        if (language, address) in self.checked and not again:
            return False
        status = open_page(page, f"{self.base}{address}")
        assert status == expect, f"{label} {address} answered {status}, not {expect}"
        self.found += check(page, f"{label} {address}")
        self.at_phone_width(page, f"{label} {address}")
        self.checked.add((language, address))
        return True

    def at_phone_width(self, page: Page, label: str) -> None:
        """At a phone's width the page is no wider than the screen (a wide table scrolls
        inside itself), in either language: English words run longer than Arabic ones."""
        page.set_viewport_size({"width": 390, "height": 844})
        # Charts follow the new width a moment later (a resize observer): give them two
        # seconds. Polled from here: Playwright's own wait evaluates its condition as a
        # string inside the page, which the pages' CSP (no 'unsafe-eval') refuses.
        fits = "document.documentElement.scrollWidth <= window.innerWidth"
        for _ in range(20):
            if page.evaluate(fits):
                break
            page.wait_for_timeout(100)
        else:
            width = page.evaluate("document.documentElement.scrollWidth")
            self.too_wide.append(f"{label}: {width} px")
        page.set_viewport_size({"width": 1280, "height": 900})

    def sign_in(self, page: Page, username: str, language: str) -> None:
        """Sign in through the login page, and give the second factor where the role needs
        one (the second-factor page is checked on the way)."""
        page.goto(f"{self.base}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        with page.expect_navigation():
            page.click("[data-testid=login-submit]")
        if "/accounts/second-factor/" in page.url:
            self.found += check(page, f"{username} ({language}) {page.url[len(self.base) :]}")
            device = TOTPDevice.objects.get(user__username=username, confirmed=True)
            # A code is accepted once: a second sign-in uses the next period's code, which
            # the device's tolerance of one step accepts.
            earlier = self.sign_ins.get(username, 0)
            self.sign_ins[username] = earlier + 1
            t0 = device.t0 - earlier * device.step
            code = totp(device.bin_key, step=device.step, t0=t0, digits=device.digits)
            page.fill("input[name=token]", f"{code:06d}")
            with page.expect_navigation():
                page.locator("main form button[type=submit]").click()
        assert page.url == f"{self.base}/", f"{username} did not reach the home page: {page.url}"

    def keyboard(self, page: Page, username: str, language: str) -> None:
        """From the top of the home page, the first Tab shows the skip link, Enter moves to
        the content, and the next Tab lands on an element drawn with a visible focus."""
        label = f"{username} ({language}) /"
        open_page(page, f"{self.base}/")
        page.keyboard.press("Tab")
        first = page.evaluate(
            "() => { const e = document.activeElement, box = e.getBoundingClientRect();"
            " return [e.getAttribute('href'), box.width > 1 && box.height > 1]; }"
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"a11y-skip-link-{language}.png"))
        if first != ["#main", True]:
            self.fault(
                "skip-link",
                "body > a:first-child",
                label,
                "The first Tab shows a link to the content",
            )
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        outline = page.evaluate(
            "() => { const style = getComputedStyle(document.activeElement);"
            " return [document.activeElement.closest('main') !== null, style.outlineStyle]; }"
        )
        if outline[0] is not True or outline[1] == "none":
            self.fault(
                "focus-visible",
                ":focus",
                label,
                "After the skip link, Tab moves into the content with a visible focus",
            )

    def after_search(self, page: Page, label: str, address: str, submit: str) -> None:
        """Submit the page's search form (htmx swaps the results in) and check the page
        with its results."""
        open_page(page, f"{self.base}{address}")
        page.locator(submit).click()
        page.wait_for_load_state("networkidle")
        self.found += check(page, f"{label} {address} after a search")

    def fault(self, rule: str, target: str, page: str, help_text: str) -> None:
        self.found.append(
            Violation(rule=rule, impact="serious", target=target, page=page, help=help_text)
        )

    def role(self, page: Page, username: str, language: str, *, records: bool = True) -> None:
        """The home page, each navigation page, and one record of each kind reached from
        them (or from a record reached so: the case page leads to the referral form)."""
        user = User.objects.get(username=username)
        label = f"{username} ({language})"
        self.visit(page, label, "/", again=True)
        pending = [item.url for item in items_for(user)]
        while pending:
            if not self.visit(page, label, pending.pop(0)) or not records:
                continue
            for link in links_on(page):
                for kind, pattern in RECORDS.items():
                    if (language, kind) not in self.kinds and pattern.match(link):
                        self.kinds.add((language, kind))
                        pending.append(link)


def one_user_per_role() -> list[str]:
    users: dict[str, str] = {}
    for username, _first, _last, role, _agency in USERS:
        users.setdefault(role, username)
    return list(users.values())


def report(found: list[Violation]) -> str:
    """One line per rule and kind of element (the last step of axe's selector), with an
    example element and the pages where it was found: the navigation repeats on every
    page and a table on every row, so one fault shows once."""
    groups: dict[tuple[str, str, str], list[Violation]] = {}
    for violation in found:
        kind = violation.target.split(" > ")[-1]
        groups.setdefault((violation.rule, kind, violation.help), []).append(violation)
    lines = [f"{len(found)} accessibility violations, {len(groups)} distinct:"]
    for (rule, kind, help_text), group in sorted(groups.items()):
        pages = sorted({violation.page for violation in group})
        shown = ", ".join(pages[:3]) + (f" and {len(pages) - 3} more" if len(pages) > 3 else "")
        lines.append(
            f"- {rule} [{group[0].impact}] at {kind} ({len(group)} elements, e.g. "
            f"{group[0].target}): {help_text}. On {shown}"
        )
    return "\n".join(lines)


@pytest.fixture
def demo() -> None:
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())


@pytest.mark.usefixtures("demo")
def test_the_main_pages_of_every_demo_role_pass_axe_in_arabic_and_english(
    browser: Browser, live_server: Any
) -> None:
    walk = Walk(live_server.url)
    for language in ("ar", "en"):
        context = walk.context(browser, language)
        page = context.new_page()
        walk.visit(page, f"anonymous ({language})", "/accounts/login/")
        walk.visit(page, f"anonymous ({language})", "/no-such-page/", expect=404)
        context.close()
    for username in one_user_per_role():
        for language in ("ar", "en") if username in ENGLISH_USERS else ("ar",):
            context = walk.context(browser, language)
            page = context.new_page()
            walk.sign_in(page, username, language)
            walk.role(page, username, language, records=language == "ar")
            if username == "caseworker":
                walk.keyboard(page, username, language)
                walk.after_search(
                    page, f"{username} ({language})", "/survivors/", "main form[role=search] button"
                )
                walk.after_search(
                    page,
                    f"{username} ({language})",
                    "/shelters/find-bed/",
                    "[data-testid=find-bed-submit]",
                )
            # The error page of a signed-in user (checked once: the first role reaching it).
            walk.visit(page, f"{username} ({language})", "/no-such-page/", expect=404)
            context.close()
    assert len(walk.checked) > 50
    assert not walk.found, report(walk.found)
    assert walk.too_wide == []


def test_the_check_finds_an_unlabelled_search_box_and_faint_arabic_text(browser: Browser) -> None:
    context = browser.new_context()
    context.add_init_script(script=AXE_SCRIPT)
    page = context.new_page()
    page.set_content(
        '<html lang="ar" dir="rtl"><head><title>صفحة</title></head><body><main>'
        "<h1>بحث</h1>"
        '<input type="search" name="q" id="q">'
        '<p style="color: #aaaaaa; background: #ffffff">نص باهت</p>'
        "</main></body></html>"
    )
    found = {(violation.rule, violation.target) for violation in check(page, "sample")}
    context.close()
    assert found == {("label", "#q"), ("color-contrast", "p")}
