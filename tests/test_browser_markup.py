"""Planted markup is shown as text on every tab (issue 14), seen in a real browser: Playwright
driving Debian's Chromium against app.py on loopback, over a knowledge folder whose documents
carry bold, live links, Markdown images and <img> tags in their titles, sections and sentences.
A recorder on loopback counts every request the page makes for the planted URLs: none may
arrive. The same app is also called through gradio_client for /ask input checks, and a document
ingested while it runs must appear in the Library and Workshop pickers without a restart."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant.config import PROJECT_ROOT

from .conftest import KNOWLEDGE, subprocess_env
from .test_browser import CHROMIUM, FLAGS, ask, pick
from .test_cli_and_app import free_port, wait_for_port

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


class Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        Recorder.hits.append(self.path)
        self.send_response(204)
        self.end_headers()


def planted_case(url: str) -> str:
    markup = (f"**bold claim** and [a live link]({url}/body-link) with "
              f"<img src=\"{url}/body.png\"> and ![pic]({url}/md.png) and <b>tagged</b>")
    sentence = (f"The Valmora port community system cut gate waiting times in 2019, says the "
                f"review, {markup}.")
    sections = "\n\n".join(
        f"## {name}\n\n### Gate **data** <img src=\"{url}/section.png\"> [s]({url}/section)\n\n"
        f"{sentence} Customs officers at Valmora check cargo manifests before ships berth."
        for name in ("Background", "Instruments and institutions", "Governance",
                     "Capacity building", "Financing", "Results and metrics",
                     "Problems and criticism", "Lessons for partnership design"))
    return f"""---
title: "Valmora <b>port</b> **data** [link]({url}/title-link) <img src='{url}/title.png'>"
type: case-study
topics: [trade-facilitation]
summary: "A planted summary with **bold** and <img src='{url}/summary.png'>."
countries: [SGP, MYS]
sectors: [logistics]
period: "2015–2020"
sources: [{{title: Valmora port review, url: "https://example.org/valmora-port-review", date: 2024}}]
---

# Valmora port community system

{sections}
"""


NEW_CASE = """---
title: "Korteya ferry corridor"
type: case-study
topics: [trade-facilitation]
summary: "Ferry operators pool timetables."
countries: [SGP, MYS]
sectors: [logistics]
period: "2021–2024"
sources: [{title: Korteya ferry review, url: "https://example.org/korteya-ferry-review", date: 2024}]
---

# Korteya ferry corridor

## Background

The Korteya ferry operators pool their timetables so that freight waits less than a day.
"""


@pytest.fixture(scope="module")
def recorder():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def planted_app(tmp_path_factory, recorder):
    kb = tmp_path_factory.mktemp("markup-kb")
    shutil.copy(KNOWLEDGE / "README.md", kb / "README.md")  # the topic and sector vocabulary
    (kb / "case-studies").mkdir()
    (kb / "case-studies" / "valmora.md").write_text(planted_case(recorder), encoding="utf-8")
    shutil.copy(KNOWLEDGE / "guidance" / "trade-facilitation.md", kb / "trade-facilitation.md")
    data = tmp_path_factory.mktemp("markup-data")
    env = {**subprocess_env(data), "ASSISTANT_KNOWLEDGE_DIR": str(kb)}
    port = free_port()
    log = open(data / "app.log", "w")
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=PROJECT_ROOT,
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(proc, port, data / "app.log")
        yield f"http://127.0.0.1:{port}/", env, kb
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def page(planted_app):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(planted_app[0])
        page.wait_for_selector("#question textarea", timeout=60_000)
        yield page
        browser.close()


def rendered_markup(page, selector: str, recorder: str) -> list[str]:
    """Elements under `selector` that planted markup turned into live HTML."""
    return page.evaluate("""([selector, url]) => {
        const root = document.querySelector(selector);
        const found = [];
        for (const el of root.querySelectorAll('img, a, strong, b, em')) {
            const src = el.getAttribute('src') || el.getAttribute('href') || '';
            if (src.includes(url) || /bold claim|tagged|^port$|^data$|^bold$/.test(el.textContent))
                found.push(el.outerHTML.slice(0, 120));
        }
        return found; }""", [selector, recorder])


def test_sources_panel_shows_planted_markup_as_text(page, recorder):
    # (The answer above the panel is checked separately, below.)
    ask(page, "How did the Valmora port community system cut gate waiting times?")
    page.locator("#sources details summary").first.wait_for()
    assert rendered_markup(page, "#sources", recorder) == []
    panel = page.inner_text("#sources")
    assert "<img src=" in panel and "**bold claim**" in panel  # shown, as text


def test_references_under_the_answer_show_titles_as_text(page, recorder):
    references = page.locator("#chat [data-testid='bot'] p", has_text="Sources").last
    assert "Valmora <b>port</b> **data** [link](" in references.inner_text()
    assert references.locator("a, img, b").count() == 0
    assert references.locator("strong").all_inner_texts() == ["Sources"]


def test_the_answer_itself_shows_planted_markup_as_text(page, recorder):
    assert rendered_markup(page, "#chat", recorder) == []
    assert Recorder.hits == []


def test_library_shows_planted_markup_as_text(page, recorder):
    fetched = len(Recorder.hits)
    page.get_by_role("tab", name="Library").click()
    pick(page, "library-open", "Valmora")
    page.wait_for_function("document.querySelector('#library-reader').innerText"
                           ".includes('Customs officers at Valmora')", timeout=30_000)
    assert rendered_markup(page, "#library-reader", recorder) == []
    assert "![pic](" in page.inner_text("#library-reader")
    page.wait_for_timeout(500)
    assert Recorder.hits[fetched:] == []


def test_workshop_shows_planted_markup_as_text(page, recorder):
    fetched = len(Recorder.hits)
    page.get_by_role("tab", name="Workshop").click()
    pick(page, "workshop-topic", "trade-facilitation")
    page.click("#workshop-go")
    page.wait_for_function("document.querySelector('#workshop-status').innerText"
                           ".includes('cited')", timeout=60_000)
    for part in ("discussion", "role-play", "quiz", "handout"):
        page.get_by_role("tab", name={"discussion": "Discussion questions",
                                      "role-play": "Role-play brief", "quiz": "Quiz",
                                      "handout": "Handout"}[part]).click()
        assert rendered_markup(page, f"#workshop-{part}", recorder) == [], part
    assert rendered_markup(page, "#workshop-status", recorder) == []
    assert "**bold claim**" in page.inner_text("#workshop-handout")
    page.wait_for_timeout(500)
    assert Recorder.hits[fetched:] == []


def test_ask_api_refuses_bad_inputs_with_messages(planted_app):
    from gradio_client import Client

    client = Client(planted_app[0], verbose=False)
    question = "How did the Valmora port community system cut gate waiting times?"
    reply = client.predict(question, "", "", "", -5, api_name="/ask")
    assert "'k' is -5; it must be from 1 to 20" in reply["error"]
    reply = client.predict(question, "", "", "", 10**9, api_name="/ask")
    assert "it must be from 1 to 20" in reply["error"]
    reply = client.predict(question, "", "cooking", api_name="/ask")
    assert "'topic' is 'cooking', which is not a known value" in reply["error"]
    reply = client.predict(question, "", "", "", 0, [], "", "Any", api_name="/ask")
    assert reply["citations"] and reply.get("error") is None


def test_pickers_show_a_document_ingested_while_the_app_runs(page, planted_app):
    _, env, kb = planted_app
    (kb / "case-studies" / "korteya.md").write_text(NEW_CASE, encoding="utf-8")
    done = subprocess.run([sys.executable, "ingest.py", str(kb)], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    page.wait_for_timeout(1500)  # the app notices a finished ingest within a second
    page.get_by_role("tab", name="Ask").click()
    page.get_by_role("tab", name="Library").click()
    page.wait_for_function("document.querySelector('#library-table').innerText"
                           ".includes('Korteya ferry corridor')", timeout=30_000)
    page.get_by_role("tab", name="Workshop").click()
    page.wait_for_timeout(1000)
    page.click("#workshop-cases input")
    assert page.locator("ul[role='listbox'] li", has_text="Korteya ferry corridor").count() == 1
