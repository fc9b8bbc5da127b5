"""The API page (/{lang}/api) in headless Chromium against the real app under waitress, on a phone and a desktop:
Swagger UI, vendored from npm, renders every operation of /api/openapi.json and expands one to show its parameters,
within the page's Content Security Policy (no inline script), with no console error, no request to another host,
nothing wider than the screen and no serious or critical axe-core violation (the bar of tests/test_site_browser.py)."""
from __future__ import annotations

import pytest

from archive.context import Archive
from tests.conftest import make_settings
from tests.live_server import live_app
from tests.test_site_browser import AXE_PATHS, DEVICES

METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("api-page") / "var"
    Archive(make_settings(data_dir)).catalog.dispose()  # an empty archive: the page needs no items
    with live_app(data_dir, threads=4) as live:
        yield live



def _axe() -> str:
    found = [path for path in AXE_PATHS if path.is_file()]
    assert found, "axe-core is missing: run scripts/site_assets.sh"
    return found[0].read_text(encoding="utf-8")


@pytest.mark.parametrize("device, lang", [("phone", "vi"), ("desktop", "en")])
def test_the_api_page_renders_every_operation_of_the_document(server, browser, device, lang):
    context = browser.new_context(**DEVICES[device])
    document = context.request.get(f"{server.url}/api/openapi.json").json()
    operations = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops
                  if method in METHODS}
    page = context.new_page()
    problems, foreign = [], []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"uncaught: {exc}"))
    page.on("request", lambda request: foreign.append(request.url)
            if not request.url.startswith((server.url + "/", "data:", "blob:")) else None)
    response = page.goto(f"{server.url}/{lang}/api", wait_until="load")
    assert response.status == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    page.wait_for_selector(".opblock-summary", timeout=30_000)
    shown = set()
    for block in page.locator(".opblock").all():
        method = block.locator(".opblock-summary-method").inner_text().strip()
        path = block.locator(".opblock-summary-path").get_attribute("data-path")
        shown.add((method, path))
    assert shown == operations
    assert page.locator(".info .title").inner_text().startswith(document["info"]["title"])
    page.locator(".opblock-summary", has_text="/api/items").first.click()
    page.wait_for_selector(".parameters-container tr[data-param-name='updated_since']")
    assert page.locator("tr[data-param-name='cursor']").count() == 1
    heading = {"vi": "API cho nhà phát triển", "en": "API for developers"}[lang]
    assert page.locator("h1").first.inner_text() == heading
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    page.evaluate(_axe())  # evaluated by the driver, so the page's CSP allows it
    violations = page.evaluate("""() => axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
        .filter(v => v.impact === "serious" || v.impact === "critical")
        .map(v => `${v.impact} ${v.id}: ` + v.nodes.slice(0, 5).map(n => n.target.join(" ")).join("; ")))""")
    assert violations == []
    assert problems == [] and foreign == []
    context.close()
