"""Steps the browser tests share."""

from __future__ import annotations

from playwright.sync_api import FrameLocator, expect

TAB_CLICK_TRIES = 3


def open_section(app: FrameLocator, name: str) -> None:
    """Opens a section by its tab and waits until the app shows it selected.

    A click that lands while the stand-in dashboard re-lays its frame out (a full-page
    screenshot resizes it) can miss; such a click is tried again, a tab that never opens fails.
    """
    tab = app.get_by_role("tab", name=name, exact=True)
    for attempt in range(1, TAB_CLICK_TRIES + 1):
        tab.click()
        try:
            expect(tab).to_have_attribute("aria-selected", "true", timeout=3_000)
            return
        except AssertionError:
            if attempt == TAB_CLICK_TRIES:
                raise
