"""The real app in headless Chromium: `streamlit run app.py` with the fake model, driven by Playwright.

Skipped (with the reason) when Chromium or Playwright is missing; `scripts/setup.sh --dev`
installs both. Screenshots land in test-artifacts/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from simulator.core.catalog import load_catalog
from simulator.core.settings import Settings
from simulator.storage.models import Role
from simulator.storage.policy import SYSTEM, Viewer
from simulator.storage.store import Store

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
MODELS_DIR = Settings.from_env().models_path  # before the data dir is pointed elsewhere
SCENARIO = "vague_it_colleague"
SERVER_DATA: dict[str, Path] = {}  # the app server's data folder, to read what it stored
LINE = "What did you take the request to mean?"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT_S = 90
REPLY_TIMEOUT_MS = 60_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    pytest.fail(f"streamlit did not become healthy in {START_TIMEOUT_S}s:\n{log.read_text(errors='replace')[-4000:]}")


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("Chromium is not installed (`apt-get install chromium`, or `scripts/setup.sh --dev` as root)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("Playwright is not installed (`pip install playwright`, or `pip install -e .[dev]`)")
    return path


@pytest.fixture(scope="module")
def server(chromium, tmp_path_factory):  # `chromium` first: skip before starting anything
    data = tmp_path_factory.mktemp("browser-data")
    SERVER_DATA["dir"] = data
    yield from _serve(data, {})


@pytest.fixture(scope="module")
def team_server(chromium, tmp_path_factory):
    """The app with sign-in on, as a team runs it."""
    data = tmp_path_factory.mktemp("browser-team")
    SERVER_DATA["team"] = data
    yield from _serve(data, {"SPARRING_AUTH": "on"})


def _serve(data: Path, extra_env: dict[str, str]):
    from simulator.core.embeddings import missing_embedding_files

    settings = Settings.from_env({"SPARRING_MODELS_DIR": str(MODELS_DIR)})
    if missing_embedding_files(settings):
        pytest.skip(
            f"the embedding model is not installed in {MODELS_DIR}: "
            "`python -m simulator models install --embeddings-only`"
        )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SPARRING_DATABASE_URL", "SPARRING_CHROMA_HOST", "OPENAI_BASE_URL"}
    }
    env |= {"SPARRING_LLM": "fake", "SPARRING_DATA_DIR": str(data), "SPARRING_MODELS_DIR": str(MODELS_DIR)}
    env["SPARRING_FAKE_DELAY"] = "1.0"  # a persona that takes a moment, so a coachee can type ahead
    env |= extra_env
    port = _free_port()
    log = data / "streamlit.log"
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        context.close()


def _shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.wait_for_timeout(400)  # let the last delta paint
    page.screenshot(path=str(path), full_page=True)
    return path


def _replies_done(page, count: int) -> None:
    """`count` chat messages on the page, and as many lines stored: the last reply is not
    still being thought of, streamed or checked (a retry may follow what was streamed)."""
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stChatMessage")).to_have_count(count, timeout=REPLY_TIMEOUT_MS)
    attempt = int(page.url.split("attempt=")[1].split("&")[0])
    store = Store(f"sqlite:///{SERVER_DATA['dir'] / 'sparring.db'}")
    deadline = time.monotonic() + REPLY_TIMEOUT_MS / 1000
    while len(store.turns(attempt, SYSTEM)) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(store.turns(attempt, SYSTEM)) == count, "the last reply was never stored"
    page.wait_for_timeout(300)  # and the page has drawn what was stored


def _no_exception(page) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_open_a_briefing_start_and_get_a_reply(server, page):
    from playwright.sync_api import expect

    catalog = load_catalog()
    scenario = catalog.scenarios[SCENARIO]
    persona = catalog.persona_for(scenario)

    page.goto(server)
    expect(page.get_by_role("heading", name="Scenario library")).to_be_visible(timeout=START_TIMEOUT_S * 1000)
    expect(page.get_by_text(scenario.title, exact=True)).to_be_visible()
    expect(page.get_by_text("deterministic test lines").first).to_be_visible()
    _no_exception(page)
    _shot(page, "browser-library")

    page.locator(f".st-key-briefing_{SCENARIO} button").click()
    expect(page.get_by_text(scenario.briefing.your_goal)).to_be_visible()
    _shot(page, "browser-briefing")
    page.get_by_role("button", name="Start the conversation").click()

    messages = page.get_by_test_id("stChatMessage")
    expect(messages).to_have_count(1)
    expect(messages.first).to_contain_text(scenario.opening)
    assert "attempt=" in page.url

    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(LINE)
    box.press("Enter")
    _replies_done(page, 3)
    expect(messages.nth(1)).to_contain_text(LINE)
    reply = messages.nth(2)
    expect(reply).to_have_attribute("data-testid", "stChatMessage")
    expect(page.get_by_label(f"Chat message from {persona.name}")).to_have_count(2)
    expect(page.get_by_label("Chat message from user")).to_have_count(1)
    reply_text = reply.inner_text().replace(persona.name, "", 1).strip()
    assert reply_text, "the persona's reply is empty"
    _no_exception(page)
    _shot(page, "browser-chat")

    # Reloading the page resumes the same attempt.
    page.reload()
    expect(messages).to_have_count(3, timeout=REPLY_TIMEOUT_MS)
    expect(messages.nth(1)).to_contain_text(LINE)

    # The coach view adds the move and state under each persona line, and a chart.
    page.get_by_text("Coach view", exact=True).click()
    expect(page.get_by_text("frustration").first).to_be_visible()
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(1)
    _no_exception(page)
    _shot(page, "browser-coach-view")

    # A line over the limit is not sent: the error says why and the draft keeps every character.
    too_long = ("I want to explain everything. " * 80).strip()  # about 2,400 characters
    box.fill(too_long)
    box.press("Enter")
    expect(page.get_by_text("the limit is 2,000").first).to_be_visible()
    expect(page.get_by_role("textbox", name="Your draft")).to_have_value(too_long)
    expect(messages).to_have_count(3)
    _shot(page, "browser-draft")

    # Ending the attempt removes the chat box and says it is saved.
    page.get_by_role("button", name="End attempt").click()
    expect(page.get_by_text("Attempt saved.")).to_be_visible()
    expect(page.get_by_test_id("stChatInputTextArea")).to_have_count(0)
    _shot(page, "browser-ended")

    # My attempts lists it.
    page.get_by_role("link", name="My attempts").click()
    expect(page.get_by_role("heading", name="My attempts")).to_be_visible()
    expect(page.get_by_text(scenario.title).first).to_be_visible()
    expect(page.get_by_text("Ended").first).to_be_visible()
    _no_exception(page)
    _shot(page, "browser-attempts")


def test_a_line_sent_while_the_persona_answers_loses_nothing(server, page):
    """Sent 0.5 s after the previous line, while the persona still answers it (the fake model
    takes a second): both lines stay, in order, and each gets its own reply."""
    from playwright.sync_api import expect

    page.goto(f"{server}/rehearse?scenario={SCENARIO}")
    page.get_by_role("button", name="Start the conversation").click(timeout=START_TIMEOUT_S * 1000)
    messages = page.get_by_test_id("stChatMessage")
    expect(messages).to_have_count(1)
    box = page.get_by_test_id("stChatInputTextArea")
    first, second = "What happened with the preview?", "And what would help you finish it?"
    box.fill(first)
    box.press("Enter")
    page.wait_for_timeout(500)
    box.fill(second)
    box.press("Enter")
    _replies_done(page, 5)
    expect(page.get_by_label("Chat message from user")).to_have_count(2)
    expect(messages.nth(1)).to_contain_text(first)
    expect(messages.nth(3)).to_contain_text(second)
    page.reload()  # what is shown after a reload is what was stored
    expect(messages).to_have_count(5, timeout=REPLY_TIMEOUT_MS)
    expect(page.get_by_label("Chat message from user")).to_have_count(2)
    expect(messages.nth(1)).to_contain_text(first)
    expect(messages.nth(3)).to_contain_text(second)
    _no_exception(page)
    _shot(page, "browser-typed-ahead")


def test_ending_an_attempt_shows_the_feedback_report(server, page):
    from playwright.sync_api import expect

    page.goto(f"{server}/rehearse?scenario={SCENARIO}")
    page.get_by_role("button", name="Start the conversation").click(timeout=START_TIMEOUT_S * 1000)
    box = page.get_by_test_id("stChatInputTextArea")
    lines = [
        "It sounds like the request was unclear. What did you take it to mean?",
        "Why didn't you just ask me? This is a mess.",
        "Let's agree the banner goes on top by Thursday noon, and check in tomorrow at ten.",
    ]
    for n, line in enumerate(lines, start=1):
        box.fill(line)
        box.press("Enter")
        _replies_done(page, 1 + 2 * n)
    page.get_by_role("button", name="End attempt").click()
    expect(page.get_by_role("heading", name="Your feedback")).to_be_visible(timeout=REPLY_TIMEOUT_MS)
    expect(page.get_by_test_id("stMetric")).to_have_count(4)
    expect(page.get_by_text("Try instead").first).to_be_visible()
    _no_exception(page)
    _shot(page, "browser-report")

    # An evidence link scrolls to its line in the transcript.
    link = page.locator("a[href^='#turn-']").first
    target = link.get_attribute("href")
    link.click()
    expect(page.locator(target)).to_be_attached()
    page.wait_for_timeout(600)
    assert page.locator(target).evaluate("el => el.getBoundingClientRect().top") < 500
    _shot(page, "browser-report-linked-turn")

    # Replay from a weak turn opens a new attempt with the suggestion.
    page.get_by_role("button", name="Replay from here").first.click()
    expect(page.get_by_text("The report suggested").first).to_be_visible(timeout=REPLY_TIMEOUT_MS)
    expect(page.get_by_test_id("stChatInputTextArea")).to_have_count(1)
    _no_exception(page)
    _shot(page, "browser-replay-from-weak-turn")


# ---- sign-in on: a team's app ------------------------------------------------------------------
PASSWORD = "password1"


def _team_store() -> Store:
    return Store(f"sqlite:///{SERVER_DATA['team'] / 'sparring.db'}")


def _sign_in(page, server: str, name: str) -> None:
    from playwright.sync_api import expect

    page.goto(server)
    page.get_by_label("User name or email").fill(name, timeout=START_TIMEOUT_S * 1000)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {name}")).to_be_visible()


def test_a_coachee_cannot_open_another_coachees_attempt_by_url(team_server, page):
    from playwright.sync_api import expect

    store = _team_store()
    ana = store.accounts.create_user("ana-url", PASSWORD)
    store.accounts.create_user("bo-url", PASSWORD)
    attempt = store.create_attempt(ana, SCENARIO, "standard", "fake")
    secret = "My colleague Priya was passed over and I am furious about it."
    store.add_turn(attempt.id, "persona", "You wanted to talk?")
    store.add_turn(attempt.id, "coachee", secret, codes=[])

    _sign_in(page, team_server, "bo-url")
    page.reload()  # the sign-in survives a reload (the signed cookie)
    expect(page.get_by_text("Signed in as bo-url")).to_be_visible(timeout=START_TIMEOUT_S * 1000)
    for path in ("rehearse", "review"):
        page.goto(f"{team_server}/{path}?attempt={attempt.id}")
        expect(page.get_by_text(f"Attempt {attempt.id} was not found").first).to_be_visible()
        expect(page.get_by_text(secret)).to_have_count(0)
        _no_exception(page)
    _shot(page, "browser-forged-attempt-url")
    assert store.reviews.reads_of(SYSTEM, ana.id) == []  # nothing was read

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Sparring")).to_be_visible()
    page.reload()  # signed out for good: the cookie is gone
    expect(page.get_by_role("heading", name="Sign in to Sparring")).to_be_visible(timeout=START_TIMEOUT_S * 1000)


def test_a_coach_assigns_the_coachee_rehearses_and_reads_the_coachs_comment(team_server, browser):
    """Two people in two browsers: the coach makes a group, adds the coachee and assigns a
    scenario; the coachee finds it first in the library and rehearses it; the coach opens
    the attempt from the dashboard and comments; the coachee reads the comment."""
    from playwright.sync_api import expect

    store = _team_store()
    store.accounts.create_user("cora", PASSWORD, Role.coach)
    store.accounts.create_user("cody", PASSWORD)
    title = next(iter(load_catalog().scenarios.values())).title  # the form's first scenario
    coach, coachee = (browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(2))
    try:
        cora, cody = coach.new_page(), coachee.new_page()
        for page in (cora, cody):
            page.set_default_timeout(30_000)

        _sign_in(cora, team_server, "cora")
        cora.get_by_role("link", name="My groups").click()
        cora.get_by_label("Group name").fill("Team leads")
        cora.get_by_role("button", name="Create group").click()
        cora.get_by_role("tab", name="Coachees").click()
        cora.get_by_label("User name or email").fill("cody")
        cora.get_by_role("button", name="Add to the group").click()
        expect(cora.get_by_role("tab", name="Coachees (1)")).to_be_visible()
        cora.get_by_role("tab", name="Assignments").click()
        cora.get_by_label("Note for the coachees (optional)").fill("Ask before you answer.")
        cora.get_by_role("button", name="Assign").click()
        expect(cora.get_by_text("Ask before you answer.").first).to_be_visible()
        _no_exception(cora)
        _shot(cora, "browser-coach-assigned")

        _sign_in(cody, team_server, "cody")
        expect(cody.get_by_role("heading", name="Assigned to you")).to_be_visible()
        expect(cody.get_by_text("Ask before you answer.")).to_be_visible()
        _shot(cody, "browser-coachee-assignment")
        cody.locator("[class*='st-key-assignment_'] button").first.click()
        cody.get_by_role("button", name="Start the conversation").click()
        box = cody.get_by_test_id("stChatInputTextArea")
        box.fill(LINE)
        box.press("Enter")
        expect(cody.get_by_test_id("stChatMessage")).to_have_count(3, timeout=REPLY_TIMEOUT_MS)
        cody.get_by_role("button", name="End attempt").click()
        expect(cody.get_by_role("heading", name="Your feedback")).to_be_visible(timeout=REPLY_TIMEOUT_MS)
        attempt = int(cody.url.split("attempt=")[1].split("&")[0])
        assert [t.role for t in store.turns(attempt, SYSTEM)] == ["persona", "coachee", "persona"]

        cora.reload()
        cora.get_by_role("tab", name="Dashboard").click()
        cora.get_by_text("cody · 1 attempt").click()
        cora.locator(f".st-key-coaching_open_{attempt} button").click()
        expect(cora.get_by_text(LINE).first).to_be_visible()
        expect(cora.get_by_text(title).first).to_be_visible()
        comment = "Good question. Next time, reflect his answer before you ask the next one."
        cora.locator(".st-key-comment_text_attempt textarea").fill(comment)
        form = cora.get_by_test_id("stForm").filter(has=cora.locator(".st-key-comment_text_attempt"))
        form.get_by_role("button", name="Comment").click()
        expect(cora.get_by_text(comment)).to_be_visible()
        _no_exception(cora)
        _shot(cora, "browser-coach-review")

        cody.get_by_role("link", name="My attempts").click()
        cody.get_by_text("Who else opened your attempts (1)").click()  # the audit log, for her
        expect(cody.get_by_text(f"cora opened attempt #{attempt}")).to_be_visible()
        cody.get_by_role("button", name="Review (1)").click()
        expect(cody.get_by_text(comment)).to_be_visible()
        _no_exception(cody)
        _shot(cody, "browser-coachee-reads-comment")
    finally:
        coach.close()
        coachee.close()


def test_a_trainer_runs_a_round_for_three_people_who_join_by_code_and_appear_on_the_board(team_server, browser):
    """The trainer makes a round in the app and starts it; three people in their own browsers
    (two guests, one with an account) join with the code, talk, and the board shows them."""
    import re

    from playwright.sync_api import expect

    store = _team_store()
    store.accounts.create_user("tess", PASSWORD, Role.trainer)
    store.accounts.create_user("pia", PASSWORD)
    title = load_catalog().scenarios["tantrum_client"].title
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(4)]
    try:
        trainer, *people = (context.new_page() for context in contexts)
        for page in (trainer, *people):
            page.set_default_timeout(60_000)

        _sign_in(trainer, team_server, "tess")
        trainer.get_by_role("link", name="Workshop rounds").click()
        trainer.get_by_label("Round name").fill("Saying no, Tuesday")
        trainer.get_by_test_id("stMultiSelect").click()
        trainer.keyboard.type(title[:12])
        trainer.keyboard.press("Enter")
        trainer.get_by_label("Round name").click()  # closes the list
        trainer.get_by_text("Guests may join with a display name").click()
        trainer.get_by_text("Show names on the board").click()
        trainer.get_by_role("button", name="Create round").click()
        link = trainer.get_by_text(re.compile(r"/join\?code=")).first.inner_text()
        code = re.search(r"code=([A-Z0-9]+)", link).group(1)
        _no_exception(trainer)

        for page, name in zip(people, ["Sam", "Noor", "pia"], strict=True):  # they join before the start
            if name == "pia":  # one with an account signs in first
                _sign_in(page, team_server, "pia")
            page.goto(f"{team_server}/join?code={code}")
            if name == "pia":
                page.get_by_role("button", name="Join", exact=True).click()
            else:
                box = page.get_by_role("textbox", name="Your name")
                box.fill(name)
                box.press("Enter")  # submits the form with the name in it
            expect(page.get_by_text("Waiting for the trainer to start the round")).to_be_visible(timeout=15_000)

        trainer.get_by_role("button", name="Start").click()
        expect(trainer.get_by_role("button", name="Pause")).to_be_visible()
        for page in people:  # the waiting page moves on by itself
            page.get_by_role("button", name="Start the conversation").click(timeout=30_000)
            box = page.get_by_test_id("stChatInputTextArea")
            box.fill("I can hear how much is riding on this for you. What happens if it slips?")
            box.press("Enter")
            expect(page.get_by_test_id("stChatMessage")).to_have_count(3, timeout=REPLY_TIMEOUT_MS)
            expect(page.get_by_text(re.compile(r"\d+:\d\d left")).first).to_be_visible()
            _no_exception(page)
        _shot(people[0], "browser-round-participant")

        talking = trainer.get_by_test_id("stMetric").filter(has_text="Talking")
        expect(talking).to_contain_text("3", timeout=15_000)  # the board refreshed by itself
        expect(trainer.get_by_test_id("stDataFrame")).to_be_visible()
        _no_exception(trainer)
        _shot(trainer, "browser-round-board")
        [round_] = store.workshops.rounds(Viewer.of(store.accounts.by_login("tess")))
        rows = store.workshops.board(Viewer.of(store.accounts.by_login("tess")), round_.id)
        assert sorted((r.participant, r.state, r.lines) for r in rows) == [
            ("Noor", "talking", 1),
            ("Sam", "talking", 1),
            ("pia", "talking", 1),
        ]
    finally:
        for context in contexts:
            context.close()


def test_a_coach_writes_a_scenario_publishes_it_and_rehearses_it(team_server, page):
    """A coach starts a scenario of their own from a template in My scenarios, renames the
    persona in the form, publishes version 1, and rehearses it from the library."""
    from playwright.sync_api import expect

    store = _team_store()
    store.accounts.create_user("wren", PASSWORD, Role.coach)
    title, slug = "The supplier who misses dates", "the_supplier_who_misses_dates"

    _sign_in(page, team_server, "wren")
    page.get_by_role("link", name="My scenarios").click()
    expect(page.get_by_role("heading", name="My scenarios")).to_be_visible()
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Create the draft"))
    form.get_by_label("Title").fill(title)
    form.get_by_role("button", name="Create the draft").click()
    expect(page.get_by_text(f"Draft “{title}” created")).to_be_visible()
    expect(page.get_by_text("The draft is valid").first).to_be_visible()
    _no_exception(page)

    page.get_by_label("Name", exact=True).fill("Marta")
    page.get_by_role("button", name="Apply to the draft").click()
    expect(page.get_by_text("The form is applied to the draft and saved.")).to_be_visible()
    # The form is drawn anew from the saved draft (for a moment beside the one being replaced).
    expect(page.get_by_label("Name", exact=True).last).to_have_value("Marta")
    draft = store.authoring.get(Viewer.of(store.accounts.by_login("wren")), slug).draft
    assert "name: Marta" in draft
    _shot(page, "browser-authoring-form")

    page.get_by_role("tab", name="Publish and share").click()
    page.get_by_role("button", name="Publish version 1").click()
    expect(page.get_by_text("Version 1 published.", exact=True)).to_be_visible(timeout=REPLY_TIMEOUT_MS)
    expect(page.get_by_text("Published versions")).to_be_visible()
    _no_exception(page)
    _shot(page, "browser-authoring-published")

    page.get_by_role("link", name="Scenario library").click()
    expect(page.get_by_text(title, exact=True)).to_be_visible()
    page.locator(f".st-key-briefing_{slug} button").click()
    page.get_by_role("button", name="Start the conversation").click()
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(LINE)
    box.press("Enter")
    expect(page.get_by_label("Chat message from Marta")).to_have_count(2, timeout=REPLY_TIMEOUT_MS)
    attempt = int(page.url.split("attempt=")[1].split("&")[0])
    recorded = store.attempt(attempt, SYSTEM)
    assert (recorded.scenario_id, recorded.scenario_version) == (slug, 1)
    _no_exception(page)
    _shot(page, "browser-authoring-rehearsed")
