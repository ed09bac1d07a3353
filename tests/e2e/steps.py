"""Steps the browser tests share."""

from __future__ import annotations

from playwright.sync_api import FrameLocator, Locator, expect

TAB_CLICK_TRIES = 3

# Where each section of the page sits: (area in the top bar, its tab in the area's row).
SECTIONS = {
    "Editor": ("Program", "Editor"), "Backtest": ("Program", "Backtest"),
    "Versions": ("Program", "Versions"),
    "Overview": ("Results", "Overview"), "Referrals": ("Results", "Referrals"),
    "Rewards": ("Results", "Rewards"), "Review queue": ("Results", "Review queue"),
    "Best customers": ("Growth", "Best customers"), "Contests": ("Growth", "Contests"),
    "A/B tests": ("Growth", "A/B tests"),
    "Sleeping customers": ("Growth", "Sleeping customers"), "Partners": ("Growth", "Partners"),
    "Codes": ("Growth", "Codes"), "Messages": ("Growth", "Messages"),
    "Settings": ("Settings", "General"), "Audit log": ("Settings", "Audit log"),
    "Dead letters": ("Settings", "Dead letters"),
}


def _pick(tab: Locator) -> None:
    """Clicks a tab and waits until the app shows it selected.

    A click that lands while the stand-in dashboard re-lays its frame out (a full-page
    screenshot resizes it) can miss; such a click is tried again, a tab that never opens fails.
    """
    for attempt in range(1, TAB_CLICK_TRIES + 1):
        tab.click()
        try:
            expect(tab).to_have_attribute("aria-selected", "true", timeout=3_000)
            return
        except AssertionError:
            if attempt == TAB_CLICK_TRIES:
                raise


def open_section(app: FrameLocator, name: str) -> None:
    """Opens a section of the page (its area, then its tab), or a tab inside a section
    (the editor's Sandbox, Examples, Publish) by its name."""
    if name not in SECTIONS:
        _pick(app.get_by_role("tab", name=name, exact=True))
        return
    area, section = SECTIONS[name]
    _pick(app.locator("#areas").get_by_role("tab", name=area, exact=True))
    _pick(app.locator("#subnav").get_by_role("tab", name=section, exact=True))
