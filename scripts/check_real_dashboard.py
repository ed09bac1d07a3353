"""Looks at the app where a merchant sees it: in a real Saleor dashboard, against a real Saleor.

For a developer repeating the check by hand; CI never runs it. It needs a Saleor with its sample
data, that Saleor's dashboard and this app running where both can reach it, all given on the
command line. It installs the app when that Saleor does not have it yet, then, as the staff user,
opens the app from the sidebar (Discounts), every area and section, a backtest over Saleor's
orders, the sandbox's recent orders, both themes, and the cards on a customer's and an order's
page. It prints one line per check and writes screenshots to test-artifacts/real-dashboard/.

    .venv/bin/python scripts/check_real_dashboard.py --dashboard http://127.0.0.1:9002/ \
        --saleor http://127.0.0.1:8000/graphql/ --app http://127.0.0.1:8071
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Frame, Page, expect, sync_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.e2e.steps import SECTIONS  # noqa: E402  (the areas and sections the app shows)

OUT = REPO / "test-artifacts" / "real-dashboard"
APP_NAME = "Saleor Referrals"
# What each section shows once it has loaded (as the browser tests wait for it).
READY = {
    "Editor": ".cm-content", "Backtest": "#run-backtest", "Versions": "#versions, #section .empty",
    "Overview": "#overview, #section .empty", "Referrals": "#section table, #section .empty",
    "Rewards": "#section table, #section .empty", "Review queue": "#section .empty, #section table",
    "Best customers": "#segment-cards", "Contests": "#section .empty, [data-contest]",
    "Sleeping customers": "#sleeping-cards", "Codes": "#code-search",
    "Messages": "#preview-subject:not(:empty)", "Settings": "#settings-form",
    "Audit log": "#audit, #section .empty",
}
FONT = "() => ({family: getComputedStyle(document.body).fontFamily," \
       " inter: document.fonts.check('14px Inter')," \
       " loaded: [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)})"
# the sections photographed (every section is checked): each area's first, and the lists
PICTURED = {"Editor", "Overview", "Referrals", "Rewards", "Best customers", "Settings"}
results: list[tuple[str, bool, str]] = []


def check(name: str, ok: bool, detail: str = "") -> None:
    results.append((name, ok, detail))
    print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)


def graphql(api: str, query: str, variables: dict | None = None, token: str | None = None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    with urllib.request.urlopen(urllib.request.Request(api, body, headers), timeout=120) as answer:
        return json.loads(answer.read())


def staff_token(args) -> str:
    answer = graphql(args.saleor, "mutation($e:String!,$p:String!)"
                     "{tokenCreate(email:$e,password:$p){token}}",
                     {"e": args.email, "p": args.password})
    return answer["data"]["tokenCreate"]["token"]


def ensure_installed(args) -> None:
    token = staff_token(args)
    apps = graphql(args.saleor, "{apps(first:50){edges{node{name isActive}}}}", token=token)
    if any(e["node"]["name"] == APP_NAME for e in apps["data"]["apps"]["edges"]):
        return
    manifest = json.loads(urllib.request.urlopen(f"{args.app}/api/manifest", timeout=30).read())
    install = {"appName": APP_NAME, "manifestUrl": f"{args.app}/api/manifest",
               "permissions": manifest["permissions"], "activateAfterInstallation": True}
    answer = graphql(args.saleor, "mutation($i:AppInstallInput!){appInstall(input:$i)"
                     "{errors{field message}}}", {"i": install}, token=token)
    print("installing:", json.dumps(answer["data"]["appInstall"]["errors"]), flush=True)
    for _ in range(60):
        apps = graphql(args.saleor, "{apps(first:50){edges{node{name}}}}", token=token)
        if any(e["node"]["name"] == APP_NAME for e in apps["data"]["apps"]["edges"]):
            return
        time.sleep(2)
    raise SystemExit("the app did not install")


def log_in(page: Page, args) -> None:
    page.goto(args.dashboard)
    page.locator("[data-test-id=email]").fill(args.email)
    page.locator("[data-test-id=password]").fill(args.password)
    page.locator("[data-test-id=submit]").click()
    expect(page.locator("[data-test-id=userMenu]")).to_be_visible(timeout=60_000)
    # the dashboard's own announcements cover the sidebar's foot: close them
    page.wait_for_timeout(2_000)
    for dismiss in page.locator("[data-test-id=ripple-video-announcement-dismiss]").all():
        dismiss.click()


def app_frame(page: Page, path: str) -> Frame:
    """The frame of the app whose URL has `path` (the page, or a widget card)."""
    for _ in range(120):
        for frame in page.frames:
            if frame.url.startswith(ARGS.app) and path in frame.url:
                return frame
        page.wait_for_timeout(500)
    raise AssertionError(f"no frame of the app at {path}")


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(OUT / f"{name}.png"))


def open_from_sidebar(page: Page) -> Frame:
    page.get_by_role("link", name="Discounts").first.click()
    link = page.get_by_role("link", name="Referrals")
    expect(link.first).to_be_visible(timeout=30_000)
    check("sidebar: Discounts holds the app", True, link.first.inner_text().strip())
    link.first.click()
    frame = app_frame(page, "/dashboard")
    frame.wait_for_selector("#areas", timeout=60_000)
    check("sidebar: the app page opens in the dashboard", "/extensions/app/" in page.url, page.url)
    return frame


def pick(frame: Frame, where: str, name: str) -> None:
    tab = frame.locator(where).get_by_role("tab", name=name, exact=True)
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true", timeout=10_000)


def open_section(frame: Frame, name: str) -> None:
    area, section = SECTIONS[name]
    pick(frame, "#areas", area)
    pick(frame, "#subnav", section)


def every_section(page: Page, frame: Frame, theme: str) -> None:
    for name in SECTIONS:
        open_section(frame, name)
        try:
            frame.locator(READY[name]).first.wait_for(timeout=30_000)
            failed = frame.locator("#section .error, #section [data-tone=critical]").count()
            check(f"{theme}: {name} loads", failed == 0,
                  frame.locator("#section").inner_text()[:120].replace("\n", " ") if failed else "")
        except AssertionError as exc:
            check(f"{theme}: {name} loads", False, str(exc)[:200])
        if name in PICTURED:
            shot(page, f"{theme}-{name.lower().replace(' ', '-')}")


def backtest_over_saleor(page: Page, frame: Frame) -> None:
    open_section(frame, "Backtest")
    frame.locator("#backtest-source").select_option("saleor")
    frame.locator("#run-backtest").click()
    done = frame.locator("#section table, #section .empty, #section .error")
    done.first.wait_for(timeout=300_000)
    text = frame.locator("#section").inner_text()
    check("backtest: orders fetched from Saleor", "did not answer" not in text
          and frame.locator("#section .error").count() == 0, " ".join(text.split())[:300])
    shot(page, "backtest-saleor-orders")


def sandbox_recent_order(page: Page, frame: Frame) -> None:
    open_section(frame, "Editor")
    frame.get_by_role("tab", name="Sandbox", exact=True).click()
    select = frame.locator("#recent-orders")
    expect(select).to_be_enabled(timeout=120_000)
    options = select.locator("option:not([disabled])")
    values = [v for v in options.evaluate_all("(os) => os.map(o => o.value)") if v]
    note = frame.locator("#recent-orders-note").inner_text()
    check("sandbox: recent orders from Saleor", bool(values),
          f"{len(values)} order(s); {note[:200]}")
    # a program in one currency runs on that currency's orders (the sample shop also sells in PLN)
    labels = options.evaluate_all("(os) => os.map(o => [o.value, o.textContent])")
    currency = frame.locator(".cm-content").inner_text().split("currency", 1)[-1].split()[0]
    values = [v for v, label in labels if v and f" {currency} " in label] or values
    if values:
        select.select_option(values[0])
        frame.locator(".sandbox-result").get_by_text("Running…").wait_for(state="detached")
        text = frame.locator(".sandbox-result").inner_text()
        failed = frame.locator(".sandbox-result .error").count()
        check("sandbox: a recent order runs", failed == 0,
              " ".join(text.split())[:200])
    shot(page, "sandbox-recent-order")


def reload_and_link(page: Page) -> None:
    """A reload of the dashboard, and a link to it, open the section that was open."""
    frame = app_frame(page, "/dashboard")
    open_section(frame, "Rewards")
    page.wait_for_timeout(500)
    check("route: the dashboard's URL names the section", page.url.endswith("/results/rewards"),
          page.url)
    page.reload()
    frame = app_frame(page, "/dashboard/results/rewards")
    tab = frame.locator("#subnav [aria-selected=true]")
    tab.wait_for(timeout=60_000)
    check("route: a reload returns to the section", tab.inner_text() == "Rewards", frame.url)
    page.goto(page.url.replace("/results/rewards", "/settings/audit"))
    frame = app_frame(page, "/dashboard/settings/audit")
    tab = frame.locator("#subnav [aria-selected=true]")
    tab.wait_for(timeout=60_000)
    check("route: a link opens its section", tab.inner_text() == "Audit log", frame.url)


def colours(page: Page, frame: Frame) -> dict:
    """The app's background and type beside the dashboard's around its frame."""
    around = page.evaluate("""() => {
        const frame = [...document.querySelectorAll('iframe')]
            .find(f => f.src.includes('/dashboard'));
        const clear = (e) => getComputedStyle(e).backgroundColor === 'rgba(0, 0, 0, 0)';
        let el = frame && frame.parentElement;
        while (el && clear(el)) el = el.parentElement;
        const nav = document.querySelector('nav');
        return {content: el ? getComputedStyle(el).backgroundColor : null,
                sidebar: nav ? getComputedStyle(nav).backgroundColor : null,
                text: getComputedStyle(document.body).color};
    }""")
    app = {"body": frame.evaluate("() => getComputedStyle(document.body).backgroundColor"),
           "text": frame.evaluate("() => getComputedStyle(document.body).color"),
           "font": frame.evaluate(FONT)}
    return {"dashboard": around, "app": app}


def switch_theme(page: Page) -> None:
    page.locator("[data-test-id=userMenu]").click()
    page.locator("[data-test-id=theme-switch]").click()
    page.keyboard.press("Escape")


def themes(page: Page, frame: Frame) -> None:
    found = {}
    for theme in ("light", "dark"):
        if theme == "dark":
            switch_theme(page)
            expect(frame.locator("html")).to_have_attribute("data-theme", "dark", timeout=10_000)
        page.wait_for_timeout(500)
        found[theme] = colours(page, frame)
        seen = found[theme]
        check(f"{theme}: app background is the dashboard's around it",
              seen["app"]["body"] == seen["dashboard"]["content"], json.dumps(seen))
        check(f"{theme}: Inter loaded from the app", seen["app"]["font"]["inter"],
              json.dumps(seen["app"]["font"]))
        shot(page, f"{theme}-theme")
    (OUT / "colours.json").write_text(json.dumps(found, indent=2) + "\n")
    every_section(page, frame, "dark")
    switch_theme(page)


def first_id(args, query: str, path: list[str]) -> str:
    token = staff_token(args)
    data = graphql(args.saleor, query, token=token)["data"]
    for key in path:
        data = data[key]
    return data


AROUND = """(frame) => { let el = frame.parentElement;
    while (el && getComputedStyle(el).backgroundColor === 'rgba(0, 0, 0, 0)') el = el.parentElement;
    return el ? getComputedStyle(el).backgroundColor : null; }"""


def widget(page: Page, kind: str, url: str, theme: str) -> None:
    page.goto(url)
    frame = app_frame(page, f"/dashboard/widgets/{kind}")
    card = frame.locator("#app")
    name = f"{theme}: {kind} page: the Referrals card"
    try:
        card.locator(f"#widget-{kind}, .empty, .error").first.wait_for(timeout=60_000)
    except AssertionError as exc:
        check(f"{name} renders", False, str(exc)[:200])
        return
    text = " ".join(card.inner_text().split())
    check(f"{name} renders", card.locator(".error").count() == 0, text[:200])
    element = frame.frame_element()
    element.scroll_into_view_if_needed()
    page.wait_for_timeout(1_000)  # the card reports its height; the dashboard applies it
    content = frame.evaluate("() => Math.ceil(document.body.getBoundingClientRect().height)")
    box = element.bounding_box() or {"height": 0}
    check(f"{name} is as tall as its content", abs(box["height"] - content) <= 1,
          f"frame {box['height']} px, content {content} px")
    seen = {"card": frame.evaluate("() => getComputedStyle(document.body).backgroundColor"),
            "around": element.evaluate(AROUND)}
    check(f"{name} has the dashboard's background", seen["card"] == seen["around"],
          json.dumps(seen))
    shot(page, f"{theme}-widget-{kind}")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    ensure_installed(ARGS)
    redirects: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.on("response", lambda r: redirects.append(f"{r.status} {r.url}")
                if r.url.startswith(ARGS.app) and 300 <= r.status < 400 else None)
        log_in(page, ARGS)
        if "page" in ARGS.parts:
            frame = open_from_sidebar(page)
            shot(page, "sidebar-app-page")
            every_section(page, frame, "light")
            backtest_over_saleor(page, frame)
            sandbox_recent_order(page, frame)
            themes(page, frame)
            reload_and_link(page)
        if "widgets" in ARGS.parts:
            widgets(page)
        browser.close()
    check("no redirect on the app's URLs", not redirects, "; ".join(redirects[:5]))
    failed = [name for name, ok, _ in results if not ok]
    print(f"{len(results) - len(failed)} of {len(results)} checks passed")
    (OUT / "checks.txt").write_text("".join(
        f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}\n"
        for name, ok, detail in results))
    return 1 if failed else 0


def widgets(page: Page) -> None:
    customer = ARGS.customer or first_id(ARGS, "{customers(first:1){edges{node{id}}}}",
                                         ["customers", "edges", 0, "node", "id"])
    order = ARGS.order or first_id(ARGS, "{orders(first:1){edges{node{id}}}}",
                                   ["orders", "edges", 0, "node", "id"])
    base = ARGS.dashboard.rstrip("/")
    for theme in ("light", "dark"):
        if theme == "dark":
            switch_theme(page)
        widget(page, "customer", f"{base}/customers/{customer}", theme)
        widget(page, "order", f"{base}/orders/{order}", theme)
    switch_theme(page)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dashboard", required=True, help="the Saleor dashboard's URL")
    parser.add_argument("--saleor", required=True, help="that Saleor's GraphQL API URL")
    parser.add_argument("--app", required=True, help="this app's base URL (its APP_URL)")
    parser.add_argument("--email", default="admin@example.com", help="a staff user's e-mail")
    parser.add_argument("--password", default="admin", help="that staff user's password")
    parser.add_argument("--customer", help="the Saleor id of the customer whose card to look at "
                        "(default: the first customer)")
    parser.add_argument("--order", help="the Saleor id of the order whose card to look at "
                        "(default: the newest order)")
    parser.add_argument("--parts", nargs="+", choices=["page", "widgets"],
                        default=["page", "widgets"], help="what to look at (default: all)")
    return parser.parse_args()


if __name__ == "__main__":
    ARGS = arguments()
    sys.exit(main())
