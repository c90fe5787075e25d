"""The sources panel in a real browser: each cited document's public sources are links a reader
can follow, opening in a new tab without handing the app's window to the other site."""

from __future__ import annotations

from .test_browser import app_url, ask, browser, page, shot  # noqa: F401 (fixtures)


def _stay_offline(context) -> None:
    # Tests have no network: any request off loopback gets a stub page, so following a link
    # shows where it goes without leaving the machine.
    def handle(route):
        if route.request.url.startswith("http://127.0.0.1"):
            route.continue_()
        else:
            route.fulfill(status=200, content_type="text/html", body="<p>outside page</p>")

    context.route("**/*", handle)


def test_a_cited_case_study_lists_its_sources_as_links_opening_in_a_new_tab(page):  # noqa: F811
    ask(page, "What went wrong with the Hambantota port project?")
    first = page.locator("#sources details").first
    assert "Hambantota" in first.locator("summary").inner_text()
    links = first.locator(".links a")
    assert links.count() >= 3, first.inner_html()
    link = links.filter(has_text="South China Morning Post").first
    href = link.get_attribute("href")
    assert href.startswith("https://www.scmp.com/")
    assert link.get_attribute("target") == "_blank"
    assert "noopener" in link.get_attribute("rel").split()
    shot(page, "chat-source-links")

    _stay_offline(page.context)
    with page.context.expect_page() as opened:
        link.click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url == href and tab is not page
    assert tab.evaluate("window.opener") is None  # noopener: the new tab cannot reach the app
    tab.close()
    assert page.locator("#sources details").first.is_visible()  # the answer is still there
