"""Readers and administrators in a real browser (Playwright driving /usr/bin/chromium) against
app.py with logins: the Admin tab only for administrators, an upload that becomes answerable,
and a reader's page calling the upload event by hand refused by the server."""

from __future__ import annotations

import json

import pytest
from gradio_client import Client

from assistant.auth import NOT_ADMIN

from .test_auth import ADMIN, MEMO, READER, audit_lines, start_app
from .test_browser import ask, browser, shot  # noqa: F401 - browser is a fixture

FILLER = ("The port authorities of the two countries compare berth schedules every Monday and "
          "publish the waiting times of freight ferries, lorries and rail wagons. ")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    yield from start_app(tmp_path_factory.mktemp("browser-auth"))


def open_as(browser, app, user: str | None, password: str | None = None):  # noqa: F811
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(app.url + "/")
    if user:
        page.fill("input[type='text']", user)
        page.fill("input[type='password']", password)
        page.keyboard.press("Enter")
        page.wait_for_selector("#question textarea", timeout=60_000)
    return context, page


def tab_names(page) -> list[str]:
    return [name.strip() for name in page.get_by_role("tab").all_inner_texts()]


def test_reader_sees_no_admin_tab_and_admin_does(browser, app):  # noqa: F811
    context, page = open_as(browser, app, *ADMIN)
    page.get_by_role("tab", name="Admin").wait_for(timeout=30_000)
    assert tab_names(page) == ["Ask", "Library", "Workshop", "Admin"]
    context.close()

    context, page = open_as(browser, app, *READER)
    page.wait_for_timeout(3000)  # the page asks the server which tabs this login gets
    assert tab_names(page) == ["Ask", "Library", "Workshop"]
    shot(page, "reader-tabs")
    context.close()


def test_admin_upload_becomes_answerable_and_listed_while_others_get_answers(
        browser, app, tmp_path):  # noqa: F811
    context, page = open_as(browser, app, *ADMIN)
    page.get_by_role("tab", name="Admin").click()
    memo = tmp_path / "ferry-memo.md"
    # Long enough that its ingest takes seconds, so a reader's question lands during it.
    memo.write_text(MEMO + "\n## Schedules\n\n" + "\n\n".join([FILLER * 6] * 120) + "\n",
                    encoding="utf-8")
    page.locator("#admin-files input[type='file']").set_input_files([str(memo)])
    page.wait_for_timeout(1500)
    page.click("#admin-ingest")
    page.wait_for_function("document.querySelector('#admin-report').innerText"
                           ".includes('Ingesting')", timeout=60_000)
    answer = Client(app.url + "/", auth=READER, verbose=False).predict(
        "How often does the joint committee meet?", api_name="/ask")
    still = page.inner_text("#admin-report")
    assert answer["citations"] and "Ingesting" in still, "the reader waited for the upload"

    page.wait_for_function("document.querySelector('#admin-report').innerText"
                           ".includes('Added')", timeout=300_000)
    assert "Added 1" in page.inner_text("#admin-report")
    shot(page, "admin-upload")
    page.get_by_role("tab", name="Ask").click()
    ask(page, "How long does freight wait at the ferry ports?")
    assert "Ferry corridor memo" in page.inner_text("#sources")
    page.get_by_role("tab", name="Library").click()
    page.fill("#library-search textarea", "ferry corridor")
    page.press("#library-search textarea", "Enter")
    page.wait_for_function("document.querySelector('#library-table').innerText"
                           ".includes('Ferry corridor memo')", timeout=30_000)
    context.close()
    record = [line for line in audit_lines(app.data) if line["result"] == "indexed"][-1]
    assert (record["user"], record["file"]) == (ADMIN[0], "ferry-memo.md")


# Runs in the page: what a reader could type into the browser console to call the upload
# event by its id from /config, with the page's own login cookie.
CALL_UPLOAD = """async (text) => {
    const config = await (await fetch('/config')).json();
    const dep = config.dependencies.find(d => d.api_name === 'ingest');
    const form = new FormData();
    form.append('files', new File([text], 'planted.md'));
    const up = await fetch('/gradio_api/upload', {method: 'POST', body: form});
    if (!up.ok) return {status: up.status};
    const path = (await up.json())[0];
    const session = Math.random().toString(36).slice(2);
    const join = await fetch('/gradio_api/queue/join', {method: 'POST',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({data: [[{path, meta: {_type: 'gradio.FileData'}}]],
                              fn_index: dep.id, trigger_id: dep.targets[0][0],
                              session_hash: session, event_data: null})});
    if (!join.ok) return {status: join.status};
    const stream = await fetch('/gradio_api/queue/data?session_hash=' + session);
    const reader = stream.body.getReader();
    let buffer = '';
    while (true) {
        const {value, done} = await reader.read();
        if (done) return {status: 200, output: null};
        buffer += new TextDecoder().decode(value);
        for (const line of buffer.split('\\n')) {
            if (!line.startsWith('data:')) continue;
            const message = JSON.parse(line.slice(5));
            if (message.msg === 'process_completed')
                return {status: 200, output: message.output.data[0]};
        }
    }
}"""


def test_a_readers_page_calling_the_upload_by_hand_is_refused(browser, app):  # noqa: F811
    planted = MEMO.replace("Ferry corridor memo", "Planted reader memo")
    context, page = open_as(browser, app, *READER)
    result = page.evaluate(CALL_UPLOAD, planted)
    assert result == {"status": 200, "output": NOT_ADMIN}
    context.close()

    context, page = open_as(browser, app, None)  # never logged in: the login page
    result = page.evaluate(CALL_UPLOAD.replace(
        "const config = await (await fetch('/config')).json();",
        "const got = await fetch('/config'); if (!got.ok) return {status: got.status};"
        " const config = await got.json();"), planted)
    assert result == {"status": 401}
    context.close()

    answer = Client(app.url + "/", auth=ADMIN, verbose=False).predict(
        "What does the planted reader memo say about freight?", api_name="/ask")
    assert "Planted reader memo" not in json.dumps(answer)
    assert not (app.data / "uploads" / "planted.md").exists()
    refused = [line for line in audit_lines(app.data) if line["file"] == "planted.md"]
    assert refused and all(line["result"].startswith("refused") and line["user"] == READER[0]
                           for line in refused)
