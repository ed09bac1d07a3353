"""The page as it sits in Saleor's dashboard: its areas and sections fit the frame at 1024 and
1440 px in light and dark, its background is the dashboard's own token in each theme, Inter comes
from the app itself, a link or reload returns to the open section, switching sections keeps a
finished backtest, and a partial answer from Saleor keeps the orders it could give."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from playwright.sync_api import expect

from tests import saleor_answers
from tests.e2e.conftest import ASSETS, REPO
from tests.e2e.steps import SECTIONS, open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What each section shows once it has loaded.
READY = {
    "Editor": ".cm-content", "Backtest": "#run-backtest", "Versions": "#versions, #section .empty",
    "Overview": "#overview, #section .empty", "Referrals": "#section table, #section .empty",
    "Rewards": "#section table, #section .empty", "Review queue": "#section .empty, #section table",
    "Best customers": "#segment-cards", "Contests": "#section .empty, [data-contest]",
    "A/B tests": "#abtest-variants, #section .empty",
    "Sleeping customers": "#sleeping-cards", "Partners": "#partner-new",
    "Codes": "#code-search", "Messages": "#preview-subject:not(:empty)",
    "Settings": "#settings-form", "Audit log": "#audit, #section .empty",
    "Dead letters": "#dead-letters .empty, #dead-deliveries, #dead-outbox",
}
# The dashboard's content area in dark mode, measured in the real dashboard (3.23).
DASHBOARD_DARK_CONTENT = "rgb(38, 40, 54)"

FITS = """(selector) => {
    const element = document.querySelector(selector);
    return { scroll: element.scrollWidth, client: element.clientWidth };
}"""


def macaw_token(theme: str, group: str, name: str) -> str:
    """A colour as Saleor's design system publishes it, read from the package itself."""
    script = (f"const t = require('@saleor/macaw-ui').themes.{theme};"
              f"process.stdout.write(t.colors.{group}.{name})")
    return subprocess.run(["node", "-e", script], cwd=REPO / "plugin" / "dashboard" / "frontend",
                          check=True, capture_output=True, text=True).stdout


def app_frame(page):
    """The app's frame itself (to evaluate script in it), not a locator of it."""
    return page.locator("#app-frame").element_handle().content_frame()


def assert_fits(frame, where: str) -> None:
    for selector in ("#areas", "#subnav", "html"):
        size = frame.evaluate(FITS, selector)
        assert size["scroll"] <= size["client"], (where, selector, size)


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("width", [1024, 1440])
def test_every_section_fits_the_frame_without_sideways_scrolling(open_dashboard, shot, theme,
                                                                  width):
    page, app = open_dashboard(theme=theme, width=width, height=900)
    expect(app.locator(".cm-content")).to_be_visible()
    frame = app_frame(page)
    areas = app.locator("#areas").get_by_role("tab")
    expect(areas).to_have_text(["Program", "Results", "Growth", "Settings"])
    for name, (area, _tab) in SECTIONS.items():
        open_section(app, name)
        expect(app.locator(READY[name]).first).to_be_visible()
        assert_fits(frame, f"{name} at {width} px, {theme}")
        if width == 1440 or name == _first_of(area):
            shot(page, f"30-{theme}-{width}-{name.lower().replace(' ', '-')}")
    assert page.errors == []


def _first_of(area: str) -> str:
    return next(name for name, (where, _) in SECTIONS.items() if where == area)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_background_is_the_dashboards_own_token_and_type_is_bundled_inter(open_dashboard,
                                                                              theme):
    page, app = open_dashboard(theme=theme)
    expect(app.locator(".cm-content")).to_be_visible()
    frame = app_frame(page)
    token = macaw_token("defaultDark" if theme == "dark" else "defaultLight", "background",
                        "default1")
    built = json.loads((ASSETS / "theme.json").read_text())[theme]
    assert built["--mu-colors-background-default1"] == token  # the build took Macaw's value
    colours = frame.evaluate("""(token) => {
        const probe = document.createElement("div");
        probe.style.backgroundColor = token;
        document.body.append(probe);
        const wanted = getComputedStyle(probe).backgroundColor;
        probe.remove();
        return { wanted, body: getComputedStyle(document.body).backgroundColor,
                 html: getComputedStyle(document.documentElement).backgroundColor };
    }""", token)
    assert colours["body"] == colours["html"] == colours["wanted"]
    if theme == "dark":
        assert colours["body"] == DASHBOARD_DARK_CONTENT
    else:
        assert colours["body"] == "rgb(255, 255, 255)"

    fonts = frame.evaluate("""async () => {
        await document.fonts.ready;
        return { family: getComputedStyle(document.body).fontFamily,
                 loaded: [...document.fonts].filter((f) => f.status === "loaded")
                     .map((f) => f.family.replaceAll('"', "").replaceAll("'", "")),
                 inter: document.fonts.check("14px Inter") };
    }""")
    assert fonts["family"].startswith("Inter")
    assert "Inter" in fonts["loaded"] and fonts["inter"]
    requested = frame.evaluate(
        "() => performance.getEntriesByType('resource').map((e) => e.name)"
        ".filter((n) => n.includes('.woff2'))")
    origin = frame.evaluate("() => location.origin")
    assert requested and all(url.startswith(f"{origin}/dashboard/assets/inter-")
                             for url in requested)


def test_theme_switch_follows_the_dashboard_without_reload(open_dashboard, shot):
    page, app = open_dashboard(theme="light")
    expect(app.locator(".cm-content")).to_be_visible()
    frame = app_frame(page)
    page.evaluate("window.harness.setTheme('dark')")
    expect(app.locator("html")).to_have_attribute("data-theme", "dark")
    body = frame.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert body == DASHBOARD_DARK_CONTENT
    shot(page, "31-switched-to-dark")


def test_the_url_keeps_the_section_and_a_finished_backtest_survives_switching(
        open_dashboard, shot):
    page, app = open_dashboard()
    expect(app.locator(".cm-content")).to_be_visible()
    open_section(app, "Backtest")
    app.locator("#backtest-source").select_option("saleor")
    app.locator("#backtest-assume").check()
    app.locator("#run-backtest").click()
    expect(app.locator("#backtest-result")).to_be_visible(timeout=20_000)
    cost = app.locator("#draft-cost").inner_text()

    open_section(app, "Rewards")
    frame = app_frame(page)
    assert frame.evaluate("() => location.hash") == "#results/rewards"
    # Back in the Program area: the area remembers its section, the backtest is still there.
    app.locator("#areas").get_by_role("tab", name="Program").click()
    expect(app.locator("#subnav").get_by_role("tab", name="Backtest")).to_have_attribute(
        "aria-selected", "true")
    expect(app.locator("#draft-cost")).to_have_text(cost)
    expect(app.locator("#backtest-source")).to_have_value("saleor")
    shot(page, "32-backtest-kept")

    # A reload (or a link with the hash) opens the same section.
    open_section(app, "Audit log")
    frame.evaluate("() => location.reload()")
    expect(app.locator("#subnav").get_by_role("tab", name="Audit log")).to_have_attribute(
        "aria-selected", "true", timeout=10_000)
    expect(app.locator("#areas").get_by_role("tab", name="Settings")).to_have_attribute(
        "aria-selected", "true")
    expect(app.locator("#audit")).to_be_visible()


def test_a_reload_of_the_dashboard_or_a_link_to_it_opens_the_section(open_dashboard):
    # Saleor's dashboard builds the frame anew on a reload: only its own URL says the section.
    page, app = open_dashboard()
    expect(app.locator(".cm-content")).to_be_visible()
    open_section(app, "Rewards")
    expect(page).to_have_url(re.compile(r"/extensions/app/\d+/results/rewards$"))
    page.reload()
    expect(app.locator("#subnav").get_by_role("tab", name="Rewards")).to_have_attribute(
        "aria-selected", "true", timeout=15_000)
    assert "/dashboard/results/rewards?" in app_frame(page).url

    link = page.url.replace("/results/rewards", "/settings/audit")
    page.goto(link)
    expect(app.locator("#subnav").get_by_role("tab", name="Audit log")).to_have_attribute(
        "aria-selected", "true", timeout=15_000)
    expect(app.locator("#audit, #section .empty").first).to_be_visible()
    assert page.errors == []


def test_recent_orders_keep_what_saleor_could_give_and_name_the_rest(at_capture_time,
                                                                      open_dashboard,
                                                                      fake_saleor, shot):
    fake_saleor.on("orders_facts", saleor_answers.partial_orders_answer(bad=1))
    page, app = open_dashboard()
    expect(app.locator(".cm-content")).to_be_visible()
    open_section(app, "Sandbox")
    note = app.locator("#recent-orders-note")
    expect(note).to_contain_text("1 recent order(s) left out")
    expect(note).to_contain_text(
        'Saleor answered with an error: Expected a value of type "OrderOriginEnum"')
    orders = app.locator("#recent-orders option:not([disabled])")
    expect(orders).to_have_count(3)  # the prompt and the two orders Saleor gave
    app.locator("#recent-orders").select_option(index=1)
    expect(app.locator("#decision")).to_be_visible()
    shot(page, "33-sandbox-partial-orders")
    assert page.errors == []
