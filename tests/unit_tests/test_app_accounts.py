"""The app with sign-in on, page by page and role by role (AppTest over the fake model):
signing in and out, what a guessed attempt number shows, a coach's review, the coachee's
reply, the audit log and an assignment that leads into an attempt."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from simulator.core.settings import Settings
from simulator.storage.accounts import WRONG_LOGIN
from simulator.storage.models import Role
from simulator.storage.policy import SYSTEM, Viewer
from tests.unit_tests.app_harness import APP, PASSWORD, TIMEOUT, app_environment, ok, signed_in

REVIEW = "app_pages/review.py"
REHEARSE = "app_pages/rehearse.py"
ATTEMPTS = "app_pages/attempts.py"
LIBRARY = "app_pages/library.py"


@pytest.fixture(autouse=True)
def signed_in_env(tmp_path, monkeypatch):
    yield from app_environment(tmp_path, monkeypatch, auth="on")


@pytest.fixture
def store():
    from simulator.storage.store import Store

    return Store(Settings.from_env().db_url)


class People:
    def __init__(self, store) -> None:
        self.coach = store.accounts.create_user("coach", PASSWORD, Role.coach)
        self.ana = store.accounts.create_user("ana", PASSWORD)
        self.bo = store.accounts.create_user("bo", PASSWORD)
        group = store.coaching.create_group(Viewer.of(self.coach), "Team")
        store.coaching.add_member(Viewer.of(self.coach), group.id, self.ana.id)
        self.group = group
        self.attempt = store.create_attempt(self.ana, "vague_it_colleague", "standard", "fake")
        store.add_turn(self.attempt.id, "persona", "You wanted to talk about the page?")
        store.add_turn(
            self.attempt.id, "coachee", "Yes, what did you take the request to mean?", codes=["open_question"]
        )


@pytest.fixture
def people(store) -> People:
    return People(store)


def text_of(at: AppTest) -> str:
    return " ".join(m.value for m in [*at.markdown, *at.caption, *at.info, *at.error, *at.title])


def test_with_sign_in_on_only_the_sign_in_page_shows_and_a_wrong_password_is_refused(people):
    at = ok(AppTest.from_file(str(APP), default_timeout=TIMEOUT).run())
    assert [t.value for t in at.title] == ["Sign in to Sparring"]
    with pytest.raises(ValueError, match=r"Known pages: \['[^']*sign_in.py', '[^']*join.py'\]"):
        at.switch_page(ATTEMPTS)  # only signing in or joining a workshop round, for someone not signed in
    inputs = {t.label: t for t in at.text_input}
    inputs["User name or email"].input("ana")
    inputs["Password"].input("not the password")
    at.button[[b.label for b in at.button].index("Sign in")].click().run()
    assert WRONG_LOGIN in " ".join(e.value for e in at.error)


def test_signing_in_opens_the_library_and_signing_out_ends_it(people):
    at = signed_in("ana")
    assert "Scenario library" in [t.value for t in at.title]
    assert "Signed in as **ana**" in " ".join(c.value for c in at.sidebar.caption)
    at.sidebar.button(key="sign_out").click().run()
    assert [t.value for t in ok(at).title] == ["Sign in to Sparring"]


@pytest.mark.parametrize("page", [REHEARSE, REVIEW])
def test_a_guessed_attempt_number_is_not_found(people, page):
    at = signed_in("bo", page, attempt=str(people.attempt.id))
    shown = text_of(at)
    assert f"Attempt {people.attempt.id} was not found" in shown
    assert "what did you take the request to mean" not in shown


def test_a_coach_comments_corrects_and_adjusts_and_the_coachee_replies(store, people):
    attempt_id = people.attempt.id
    at = signed_in("coach", REVIEW, attempt=str(attempt_id))
    assert "what did you take the request to mean" in text_of(at)
    area = next(a for a in at.text_area if a.key == "comment_text_turn_1")
    area.input("Good open question; now reflect what he says.")
    next(b for b in at.button if b.label == "Comment" and "turn_1" in str(b.form_id)).click().run()
    ok(at)
    assert "Good open question" in text_of(at)
    [(comment, author)] = store.reviews.comments(SYSTEM, attempt_id)
    assert (comment.turn_idx, author) == (1, "coach")

    codes = next(m for m in at.multiselect if m.label == "Codes for this line")
    codes.set_value(["open_question", "reflection"])
    next(t for t in at.text_input if t.key == "correct_reason_1").input("He restates the request")
    next(b for b in at.button if b.label == "Save the codes").click().run()
    ok(at)
    correction = store.reviews.corrections(SYSTEM, attempt_id)[1]
    assert correction.codes == ["open_question", "reflection"] and correction.automatic == ["open_question"]
    assert "Coach's codes" in text_of(at)

    coachee = signed_in("ana", REVIEW, attempt=str(attempt_id))
    assert "Good open question" in text_of(coachee)
    assert not [m for m in coachee.multiselect if m.label == "Codes for this line"]  # no corrections for her
    next(a for a in coachee.text_area if a.key == "comment_text_turn_1").input("Thanks, I'll try that.")
    next(b for b in coachee.button if b.label == "Reply").click().run()
    thread = store.reviews.comments(SYSTEM, attempt_id)
    assert [(c.text, name) for c, name in thread][-1] == ("Thanks, I'll try that.", "ana")
    assert thread[-1][0].reply_to == comment.id

    coachee.switch_page(ATTEMPTS).run()
    assert "coach opened attempt" in text_of(ok(coachee))  # the audit log she sees
    assert "Review (2)" in [b.label for b in coachee.button]


def test_an_assignment_comes_first_in_the_library_and_its_attempt_counts(store, people):
    coach = Viewer.of(people.coach)
    assignment = store.coaching.assign(coach, people.group.id, "tantrum_client", "hard", note="Hold the scope")
    at = signed_in("ana")
    subheaders = [s.value for s in at.subheader]
    assert subheaders[0] == "Assigned to you"
    assert "Hold the scope" in text_of(at) and "Not started" in text_of(at)
    at.button(key=f"assignment_{assignment.id}").click().run()
    assert at.query_params["assignment"] == str(assignment.id)
    next(b for b in ok(at).button if b.label == "Start the conversation").click().run()
    ok(at)
    [status] = store.coaching.my_assignments(Viewer.of(people.ana), date.today())
    assert (status.status, status.attempts) == ("in progress", 1)
    attempt = store.attempt(int(at.query_params["attempt"]), SYSTEM)
    assert (attempt.assignment_id, attempt.difficulty) == (assignment.id, "hard")


PRACTICE = [LIBRARY, REHEARSE, ATTEMPTS, REVIEW, "app_pages/join.py"]
COACHING = "app_pages/coaching.py"
ADMIN = "app_pages/admin.py"
ROUNDS = "app_pages/rounds.py"


@pytest.mark.parametrize(
    ("role", "pages"),
    [
        (Role.coachee, PRACTICE),
        (Role.trainer, [*PRACTICE, ROUNDS]),
        (Role.coach, [*PRACTICE, COACHING]),
        (Role.admin, [*PRACTICE, COACHING, ROUNDS, ADMIN]),
    ],
)
def test_each_role_gets_its_pages_and_no_other(store, role, pages):
    store.accounts.create_user("someone", PASSWORD, role)
    at = signed_in("someone")
    for page in [*PRACTICE, COACHING, ROUNDS, ADMIN]:
        if page in pages:
            ok(at.switch_page(page).run())
            assert at.title, f"{page} shows nothing to a {role}"
        else:
            with pytest.raises(ValueError, match="Known pages"):
                at.switch_page(page)


def test_an_invite_link_opens_the_join_form_and_signs_the_new_user_in(store):
    admin = Viewer.of(store.accounts.create_user("root", PASSWORD, Role.admin))
    code = store.accounts.invite(admin, Role.coach)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["invite"] = code
    ok(at.run())
    assert next(t for t in at.text_input if t.label == "Invite code").value == code
    fields = {t.label: t for t in at.text_input}
    fields["Choose a user name"].input("nina")
    fields["Choose a password (8 characters or more)"].input("a long password")
    fields["The password again"].input("a long password")
    next(b for b in at.button if b.label == "Create my account").click().run()
    assert "Signed in as **nina**" in " ".join(c.value for c in ok(at).sidebar.caption)
    assert store.accounts.by_login("nina").role == Role.coach
    assert store.accounts.invite_for(code) is None  # used up
