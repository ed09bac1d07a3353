"""Probes of an installed wheel, run by `scripts/test-wheel` with the fresh environment's Python.

`wheel_probe.py contents WHEEL` checks what the wheel ships; `wheel_probe.py <check> BASE_URL`
asks the running app. Each exits 0 when the check holds, else prints why and exits 1.
"""

from __future__ import annotations

import json
import sys
import urllib.request
import zipfile
from http.client import HTTPResponse

# What the app reads at run time, as paths inside the wheel.
MUST_SHIP = (
    "plugin/install/manifest.json",
    "grammar/rules.lark",
    "plugin/dashboard/static/dashboard/app.js",
    "plugin/dashboard/static/dashboard/app.css",
    "plugin/dashboard/templates/dashboard/page.html",
    "plugin/saleor/captured/jwks.json",
    "plugin/saleor/captured/webhooks/index.json",
    "plugin/saleor/documents/order_get.graphql",
)
MUST_NOT_SHIP = ("/node_modules/", "/dashboard/frontend/", "/tests/")


def contents(wheel: str) -> str | None:
    names = zipfile.ZipFile(wheel).namelist()
    missing = [name for name in MUST_SHIP if name not in names]
    programs = [n for n in names if n.startswith("examples/") and n.endswith(".rules")]
    templates = [n for n in names if "/templates/messages/" in n]
    stray = sorted({part for n in names for part in MUST_NOT_SHIP if part in f"/{n}"})
    if missing or len(programs) < 8 or len(templates) < 10 or stray:
        return (f"missing {missing}, {len(programs)} example programs, "
                f"{len(templates)} message templates, should not ship {stray}")
    return None


def _get(url: str, *, headers: dict[str, str] | None = None,
         data: bytes | None = None) -> HTTPResponse:
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    return urllib.request.urlopen(request, timeout=10)


def healthz(base: str) -> str | None:
    response = _get(f"{base}/healthz")
    return None if response.status == 200 else f"status {response.status}"


def manifest(base: str) -> str | None:
    response = _get(f"{base}/api/manifest")
    body = json.loads(response.read())
    urls = [body["appUrl"], body["tokenTargetUrl"]]
    urls += [webhook["targetUrl"] for webhook in body["webhooks"]]
    relative = [url for url in urls if not url.startswith(base + "/")]
    if response.headers.get_content_type() != "application/json" or relative:
        return f"{response.headers.get_content_type()}, not absolute under {base}: {relative}"
    return None


def bundle(base: str) -> str | None:
    response = _get(f"{base}/dashboard/assets/app.js")
    size = len(response.read())
    kind = response.headers.get_content_type()
    return None if "javascript" in kind and size > 10_000 else f"{kind}, {size} bytes"


def page(base: str) -> str | None:
    """The dashboard page: a template of the installed package, pointing at the bundle."""
    response = _get(f"{base}/dashboard/")
    html = response.read().decode()
    return None if response.status == 200 and "app.js" in html else f"status {response.status}"


def _dashboard_api(base: str, path: str, body: dict | None = None) -> dict:
    """A dashboard API call with a demo dashboard token (DEBUG and the demo installation)."""
    token = json.loads(_get(f"{base}/dashboard/dev/token", data=b"").read())["token"]
    headers = {"Authorization-Bearer": token,
               "Saleor-Api-Url": "http://demo.saleor.localhost/graphql/",
               "Content-Type": "application/json"}
    data = None if body is None else json.dumps(body).encode()
    return json.loads(_get(f"{base}/dashboard/api/{path}", headers=headers, data=data).read())


def messages(base: str) -> str | None:
    """Every shopper e-mail renders from the package's templates, as it would be sent."""
    names = [item["template"] for item in _dashboard_api(base, "messages")["messages"]]
    empty = [name for name in names
             if not _dashboard_api(base, f"messages/{name}/preview", {"shipped": True})
             ["preview"]["text"].strip()]
    return None if names and not empty else f"templates {names}, rendered empty: {empty}"


def gallery(base: str) -> str | None:
    """The example gallery as the dashboard asks for it."""
    from examples import example_programs

    served = sorted(program["name"] for program in _dashboard_api(base, "gallery")["programs"])
    shipped = sorted(p.name.removesuffix(".rules") for p in example_programs())
    if served != shipped or len(served) < 8:
        return f"served {served}, shipped {shipped} (at least 8 expected)"
    return None


CHECKS = {"contents": contents, "healthz": healthz, "manifest": manifest, "bundle": bundle,
          "page": page, "messages": messages, "gallery": gallery}

if __name__ == "__main__":
    check, argument = sys.argv[1], sys.argv[2]
    try:
        problem = CHECKS[check](argument)
    except Exception as exc:  # any failure of a probe is its answer
        problem = f"{type(exc).__name__}: {exc}"
    if problem:
        print(problem)
    sys.exit(1 if problem else 0)
