from simulator.storage.policy import SYSTEM, Viewer
from simulator.storage.store import Store


def test_turns_are_committed_and_visible_to_a_new_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    store = Store(url)
    user = store.user("ana")
    attempt = store.create_attempt(user, "tantrum_client", "standard", "fake")
    store.add_turn(attempt.id, "persona", "Hello.", state={"trust": 30}, move="opening")
    store.add_turn(attempt.id, "coachee", "Hi.", codes=["open_question"])
    reopened = Store(url)  # as after a crash
    turns = reopened.turns(attempt.id, Viewer.of(user))
    assert [(t.idx, t.role, t.text) for t in turns] == [(0, "persona", "Hello."), (1, "coachee", "Hi.")]
    assert turns[0].state == {"trust": 30}
    assert reopened.user("ana").id == user.id


def test_branch_copies_turns_before_the_replay_point(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    attempt = store.create_attempt(store.user("bo"), "s", "easy", "fake")
    for i in range(5):
        store.add_turn(attempt.id, "persona" if i % 2 == 0 else "coachee", f"line {i}")
    branch = store.branch(attempt.id, keep=3)
    assert branch.parent_id == attempt.id and branch.branched_at == 3
    assert [t.text for t in store.turns(branch.id, SYSTEM)] == ["line 0", "line 1", "line 2"]
    assert len(store.turns(attempt.id, SYSTEM)) == 5


def test_end_attempt_and_list_attempts(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    user = store.user("cy")
    me = Viewer.of(user)
    first = store.create_attempt(user, "a", "easy", "fake")
    store.create_attempt(user, "b", "hard", "fake")
    store.end_attempt(first.id)
    store.save_report(first.id, {"overall": 50})
    ended = store.attempt(first.id, me)
    assert ended.status == "ended" and ended.ended_at and ended.report == {"overall": 50}
    assert {a.scenario_id for a in store.attempts(me, user_id=user.id)} == {"a", "b"}
    assert [a.scenario_id for a in store.attempts(me, user_id=user.id, scenario_id="a")] == ["a"]


def test_another_coachee_finds_nothing(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    owner, other = store.user("dee"), Viewer.of(store.user("eve"))
    attempt = store.create_attempt(owner, "a", "easy", "fake")
    store.add_turn(attempt.id, "persona", "Hello.")
    assert store.attempt(attempt.id, other) is None
    assert store.turns(attempt.id, other) == []
    assert store.attempts(other) == []


def test_blank_user_name_becomes_guest(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert store.user("   ").name == "guest"
