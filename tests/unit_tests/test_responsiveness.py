"""benchmarks/responsiveness.py: the probe files, the judge, near_repeat and the runner."""

from __future__ import annotations

import random
from pathlib import Path

import chromadb
import pytest
import yaml
from pydantic import ValidationError

from benchmarks.responsiveness import (
    PROBES,
    Probe,
    ProbeFile,
    checks,
    echo_share,
    judge,
    load_probes,
    overall,
    run_probes,
    stem,
    table,
    to_json,
    tokens,
)
from simulator.core.catalog import load_catalog
from simulator.core.models.fake import FakeScriptLLM
from simulator.core.text import near_repeat
from simulator.engine.retrieval import NotesIndex
from simulator.engine.services import Services
from simulator.storage.store import Store
from tests.conftest import HashEmbedding, ScriptedCoder

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = sorted(p.stem for p in (REPO / "scenarios").glob("*.yaml"))


def probe(kind: str, line: str, **expect) -> Probe:
    return Probe(id="p", kind=kind, line=line, expect=expect)


def shuffled(text: str, seed: int = 0) -> str:
    parts = text.split()
    random.Random(seed).shuffle(parts)
    return " ".join(parts)


# ---- normalising ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a, b",
    [
        ("guessed", "guess"),
        ("guessing", "guesses"),
        ("worried", "worries"),
        ("worry", "worries"),
        ("released", "release"),
        ("planned", "plan"),
        ("PDFs", "pdf"),
        ("Thursday's", "thursday"),
        ("ten", "10"),
        ("moving", "moved"),
    ],
)
def test_inflections_read_alike(a, b):
    assert tokens(a) == tokens(b)


def test_stemming_keeps_apart_what_differs():
    assert stem("note") != stem("not")
    assert stem("didn't") == "didn't"
    assert tokens("3pm, check-in") == ["3", "pm", "check", "in"]


# ---- the judge: facts and feelings ---------------------------------------------------------------

RELEASE = probe(
    "fact",
    "What's the latest the change can be approved and still go live on Friday?",
    any_of=["thursday", "3 pm", "afternoon", "release", "tomorrow"],
)


@pytest.mark.parametrize(
    "reply",
    [
        "Thursday at three, because the release is Thursday night.",
        "By tomorrow afternoon, otherwise it waits a week.",
        "3pm Thursday. After that it's next week's release.",
    ],
)
def test_a_fact_answer_passes(reply):
    verdict = judge(RELEASE, reply)
    assert verdict.responsive, verdict.why
    assert "addresses it" in verdict.why


@pytest.mark.parametrize(
    "reply",
    [
        "I've got four other tickets, you know.",
        "Nobody sent me a mock-up, so I did my best.",
        "Sorry, I'm not following. Can we stick to the Northgate page?",
        "",
        "...",
    ],
)
def test_a_non_sequitur_fails(reply):
    assert not judge(RELEASE, reply).responsive


@pytest.mark.parametrize(
    "reply",
    [
        "What's the latest the change can be approved and still go live on Friday?",
        shuffled("What's the latest the change can be approved and still go live on Friday?"),
        "The latest the change can be approved and still go live? Friday.",
        "Approved and live on Friday, the latest.",
    ],
)
def test_an_echo_fails(reply):
    verdict = judge(RELEASE, reply)
    assert not verdict.responsive


def test_a_mostly_repeated_line_is_named_as_such():
    verdict = judge(RELEASE, shuffled(RELEASE.line, seed=3))
    assert "mostly repeats the coachee" in verdict.why
    assert echo_share(RELEASE.line, RELEASE.line) == 1.0
    assert echo_share(RELEASE.line, "Nobody told me.") == 0.0


def test_naming_an_option_is_a_pick_not_an_echo():
    ask = probe("choice", "Which would you rather fix first, the IT team or the client?", options=["it team", "client"])
    assert judge(ask, "The IT team.").responsive  # the option plus an article
    assert not judge(ask, "Which would I rather fix first? Hmm.").responsive


def test_words_copied_from_the_probe_are_not_evidence():
    ask = probe("fact", "Is the release on Thursday?", any_of=["night", "3 pm", "friday"])
    assert not judge(ask, "Yeah, I think the release is on Thursday, I mean.").responsive  # only its own words
    assert judge(ask, "Thursday night, and sign-off by 3pm.").responsive


def test_every_any_of_term_must_be_able_to_count():
    with pytest.raises(ValidationError, match="can never count"):
        probe("fact", "Is the release on Thursday?", any_of=["thursday", "3 pm"])


FEELING = probe("feeling", "How are you feeling about all this, honestly?", any_of=["@feeling", "not great"])


@pytest.mark.parametrize(
    "reply",
    [
        "Not great. I feel like I dropped the ball.",
        "Embarrassed, mostly.",
        "Worried about Friday, to be honest.",
        "Pretty good, actually. The banner's nearly done.",
        "It feels like I'm the last to hear anything.",
        "I felt like a spare part in that meeting.",
    ],
)
def test_a_feeling_answer_passes(reply):
    assert judge(FEELING, reply).responsive


@pytest.mark.parametrize(
    "reply",
    [
        "The template already has a banner slot.",
        "Okay, noted. I'll get to it when I can.",
        "Honestly, all this.",
        "I feel like we should get Denise in here.",  # an opinion, not a feeling
        "It feels like all this, honestly.",  # what it is like, in the coachee's words
        "I'm doing a great job on the banner.",  # "great" said of the work, not of oneself
    ],
)
def test_a_feeling_question_answered_with_facts_or_echoes_fails(reply):
    assert not judge(FEELING, reply).responsive


# ---- the judge: proposals ------------------------------------------------------------------------

CHECKIN = probe(
    "proposal",
    "Could we do a ten-minute check-in tomorrow at ten to go over the new version together?",
    slot=["tomorrow", "10", "check in", "new version"],
)


@pytest.mark.parametrize(
    "reply, stance",
    [
        ("Sure, that works.", "accept"),
        ("Sounds good. I'll have the banner up by then.", "accept"),
        ("Yeah, tomorrow at ten is fine.", "accept"),
        ("I can't tomorrow, I've got the release prep.", "refuse"),
        ("No way, I don't need someone watching over me.", "refuse"),
        ("Ten's tricky. How about eleven?", "counter"),
        ("Could we make it Thursday morning instead?", "counter"),
        ("Not tomorrow, maybe Thursday afternoon.", "counter"),
        ("Let me check my calendar and get back to you.", "defer"),
        ("Yeah, I don't mind if you come by.", "accept"),
        ("Yeah, please.", "accept"),
        ("No.", "refuse"),
    ],
)
def test_a_proposal_accepted_refused_countered_or_deferred_passes(reply, stance):
    verdict = judge(CHECKIN, reply)
    assert verdict.responsive, (stance, verdict.why)


@pytest.mark.parametrize(
    "reply",
    [
        "I built what was in the ticket. That's all I had.",
        "Mm-hm. I'll look at it later.",
        "Okay.",  # a weak word that names nothing
        "Right, anything else? I've got a build running.",
        "Could we do a ten-minute check-in tomorrow at ten?",
        shuffled(CHECKIN.line),
        "Yes, could we do a ten-minute check-in tomorrow at ten to go over the new version together?",
    ],
)
def test_a_proposal_ignored_or_echoed_fails(reply):
    assert not judge(CHECKIN, reply).responsive


def test_a_counter_needs_another_time_than_the_one_proposed():
    assert not judge(CHECKIN, "Or at ten.").responsive  # "ten" is the coachee's own time
    assert judge(CHECKIN, "Or at eleven.").responsive
    assert judge(CHECKIN, "Maybe at ten.").responsive  # a hedged yes to the coachee's own time
    assert not judge(CHECKIN, "Tomorrow at ten.").responsive  # the slot alone, no stance


def test_a_proposal_needs_a_slot():
    with pytest.raises(ValidationError, match="slot"):
        probe("proposal", "Shall we meet on Monday?", any_of=["monday"])


# ---- the judge: reflections and choices ----------------------------------------------------------

REFLECTION = probe(
    "reflection",
    "So the ticket was all you had, and you went with the reading that seemed most likely.",
    any_of=["guess*", "should've asked", "pdf*", "banner", "wasn't sure"],
)


@pytest.mark.parametrize(
    "reply",
    [
        "Pretty much.",
        "Exactly. I wasn't sure what they meant.",
        "Not quite. I did have the client's email, I just misread it.",
        "Yeah, I guessed the PDFs.",
        "I should've asked, honestly.",
        "I agree.",
    ],
)
def test_a_reflection_confirmed_or_corrected_passes(reply):
    assert judge(REFLECTION, reply).responsive


@pytest.mark.parametrize(
    "reply",
    [
        "I've got four other tickets, you know.",
        "Yeah. Right, anything else?",
        "The ticket was all I had, and I went with the reading that seemed most likely.",
        shuffled(REFLECTION.line, seed=1),
    ],
)
def test_a_reflection_ignored_or_parroted_fails(reply):
    assert not judge(REFLECTION, reply).responsive


CHOICE = probe(
    "choice",
    "Would you rather keep the dental section lower on the home page, or give it its own page?",
    options=["lower", "own page", "its own", "under the banner", "home page"],
)


@pytest.mark.parametrize(
    "reply",
    [
        "Lower down, under the banner. Less work.",
        "Its own page, probably.",
        "Either's fine by me.",
        "Whichever the client prefers.",
    ],
)
def test_a_choice_answered_passes(reply):
    assert judge(CHOICE, reply).responsive


@pytest.mark.parametrize(
    "reply",
    ["Look, I'm not a mind reader.", shuffled(CHOICE.line, seed=2), "Keep the dental section lower or its own page?"],
)
def test_a_choice_ignored_or_echoed_fails(reply):
    assert not judge(CHOICE, reply).responsive


# ---- near_repeat ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, earlier",
    [
        (
            "I should've asked. You'd just started and I didn't want to look like I couldn't follow a ticket.",
            ["I should've asked. You'd just started and I didn't want to look slow."],
        ),
        ("Honestly, I didn't want to look slow.", ["Honestly, I didn't want to look like I couldn't follow a ticket."]),
        (
            "It's mostly there. I just need to tidy a couple of things.",
            ["It's mostly there, I just need to tidy things."],
        ),
        ("Friday's tight.", ["Friday's tight."]),
        ("FRIDAY'S TIGHT!", ["friday’s tight"]),  # case, punctuation and curly apostrophes do not matter
        (
            "The release is Thursday night, so Friday's tight.",
            ["Hi.", "Friday's tight, the release is Thursday night."],
        ),
    ],
)
def test_near_repeats(line, earlier):
    assert near_repeat(line, earlier)


@pytest.mark.parametrize(
    "line, earlier",
    [
        ("I don't know.", ["I don't know what you want me to say about the banner."]),
        ("The banner is half a day of work.", ["I built what was in the ticket. That's all I had."]),
        ("I think we should talk about it on Monday.", ["I think we should talk about the banner."]),
        ("Okay.", []),
        ("", ["Okay."]),
        ("Okay.", [""]),
    ],
)
def test_not_near_repeats(line, earlier):
    assert not near_repeat(line, earlier)


# ---- the probe files -----------------------------------------------------------------------------


def test_every_scenario_has_a_probe_file_and_nothing_else_does():
    assert sorted(p.stem for p in PROBES.glob("*.yaml")) == SCENARIOS
    assert len(SCENARIOS) == 7


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_a_probe_file_validates_and_covers_the_kinds(scenario_id):
    probes = load_probes(scenario_id)
    assert len(probes.probes) >= 5
    kinds = {p.kind for p in probes.probes}
    assert len(kinds) >= 3
    assert kinds == {"fact", "feeling", "proposal", "reflection", "choice"}
    assert len(probes.warm_up) == 2


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_a_probe_file_rule_agrees_with_its_examples_and_rejects_echoes(scenario_id):
    for p in load_probes(scenario_id).probes:
        assert p.examples.responsive and p.examples.not_responsive, p.id
        for reply in p.examples.responsive:
            assert judge(p, reply).responsive, (p.id, reply, judge(p, reply).why)
        for reply in p.examples.not_responsive:
            assert not judge(p, reply).responsive, (p.id, reply, judge(p, reply).why)
        for seed in range(3):
            assert not judge(p, shuffled(p.line, seed)).responsive, (p.id, "echo")
        assert not judge(p, p.line).responsive


def _file(**changes) -> dict:
    data = yaml.safe_load((PROBES / "vague_it_colleague.yaml").read_text())
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"warm_up": ["Only one line."]}, "warm_up"),
        ({"probes": _file()["probes"][:4]}, "probes"),
        ({"probes": [_file()["probes"][0]] * 5}, "repeat"),
        ({"surprise": 1}, "surprise"),
        ({"probes": [{**_file()["probes"][0], "kind": "rumour"}, *_file()["probes"][1:]]}, "kind"),
        ({"probes": [{**_file()["probes"][0], "expect": {"any_of": ["@moods"]}}, *_file()["probes"][1:]]}, "moods"),
    ],
)
def test_a_broken_probe_file_is_refused(changes, error):
    with pytest.raises(ValidationError, match=error):
        ProbeFile.model_validate(_file(**changes))


# ---- the runner, end to end with the fake model --------------------------------------------------


@pytest.fixture
def services(tmp_path):
    catalog = load_catalog(REPO / "scenarios", REPO / "personas")
    assert not catalog.problems
    return Services(
        catalog=catalog,
        store=Store(f"sqlite:///{tmp_path / 'db.sqlite'}"),
        coder=ScriptedCoder(),
        model=FakeScriptLLM(),
        index=NotesIndex(chromadb.PersistentClient(path=str(tmp_path / "chroma")), HashEmbedding()),
        backend_label="Fake model",
        prompt_style="script",
    )


def test_the_runner_judges_what_the_model_said(services):
    """Queued model answers make each verdict known: two warm-up replies, then the reply to
    the probe, per probe, in the probe file's order. Without an index the engine's own
    relevance check passes every line, so only the guard asks for retries here."""
    services.index = None
    scenario = "vague_it_colleague"
    probes = load_probes(scenario).probes
    warm = ["Yeah, I saw you looked at it. It's more or less there.", "Okay. What did you want to change?"]
    replies: dict[str, list[str]] = {p.id: [p.examples.responsive[0]] for p in probes}
    echo, repeat, garbage = probes[1].id, probes[2].id, probes[3].id
    replies[echo] = [shuffled(probes[1].line)]  # the guard lets a reordered echo through; the judge does not
    near_repeat_line = "Yeah, I saw you looked at it. It's more or less there, so yeah."
    replies[repeat] = [near_repeat_line, probes[2].examples.responsive[0]]  # the guard asks for a retry
    replies[garbage] = ["As an AI language model I can't help.", "As an AI, I cannot roleplay.", "As an AI, no."]
    queue = [line for p in probes for line in [*warm, *replies[p.id]]]
    services.model = FakeScriptLLM(responses=queue)

    results = run_probes(services, [scenario], "standard")

    [(name, got)] = results.items()
    assert name == scenario and got.probes == len(probes)
    by_id = {r.probe: r for r in got.results}
    for p in probes:
        r = by_id[p.id]
        assert r.kind == p.kind and r.line == p.line
        assert r.authored == (r.reply in services.catalog.scenario(scenario).moves[r.move].lines)
        assert r.warm_up_replies == warm
        assert 0 <= r.ttft_s <= r.total_s
        if p.id not in (echo, repeat, garbage):
            assert r.reply == p.examples.responsive[0]
            assert r.responsive and not r.near_repeat and not r.fallback, (p.id, r.why)
    assert not by_id[echo].responsive and "repeats the coachee" in by_id[echo].why
    assert by_id[repeat].reply == probes[2].examples.responsive[0]
    assert not by_id[repeat].near_repeat and not by_id[repeat].fallback
    assert by_id[garbage].fallback and by_id[garbage].authored
    assert by_id[garbage].reply in services.catalog.scenario(scenario).moves[by_id[garbage].move].lines
    assert services.model._next_response == len(queue)  # every answer was asked for, none left over

    assert got.near_repeat_rate == 0.0
    assert got.fallback_rate == round(1 / len(probes), 3)
    responsive = len(probes) - 2 + by_id[garbage].responsive  # the authored fallback may happen to fit
    assert sum(r.responsive for r in got.results) == responsive
    assert got.responsive_rate == round(responsive / len(probes), 3)


def test_the_runner_covers_every_scenario_and_reports(services):
    results = run_probes(services, SCENARIOS)  # the fake replays authored lines
    assert list(results) == SCENARIOS
    for scenario_id, got in results.items():
        scenario = services.catalog.scenario(scenario_id)
        assert got.probes == len(load_probes(scenario_id).probes)
        for r in got.results:
            assert r.reply and r.move and len(r.warm_up_replies) == 2
            assert r.reply in scenario.moves[r.move].lines  # the fake speaks authored lines only
            assert r.near_repeat == near_repeat(r.reply, [scenario.opening, *r.warm_up_replies])
            assert r.responsive == judge(load_probes(scenario_id).probes[got.results.index(r)], r.reply).responsive
        assert got.fallback_rate == round(sum(r.fallback for r in got.results) / got.probes, 3)
    everything = overall(results)
    assert everything.probes == sum(len(load_probes(s).probes) for s in SCENARIOS)
    data = to_json(results)
    assert set(data["per_scenario"]) == set(SCENARIOS)
    assert data["overall"]["probes"] == everything.probes == len(data["results"])
    assert set(data["per_kind"]) == {"fact", "feeling", "proposal", "reflection", "choice"}
    assert sum(k["probes"] for k in data["per_kind"].values()) == everything.probes
    assert all(r["authored"] for r in data["results"])  # the fake speaks authored lines only
    assert set(checks(results)) == {
        f"responsive >= 85% over {everything.probes} probes",
        "no near-repeat",
        "median time to first token on the probes < 1.5 s",
    }
    printed = table(results)
    assert all(s in printed for s in SCENARIOS) and "all" in printed


def test_the_benchmark_prints_the_table_and_writes_the_figures(services, tmp_path, monkeypatch, capsys):
    from benchmarks import rehearsal_bench

    monkeypatch.setattr(rehearsal_bench, "RESULTS", tmp_path)
    results = rehearsal_bench.probe_run(services, ["vague_it_colleague", "tantrum_client"])
    summary, checks_ = rehearsal_bench._probe_figures(results)
    rehearsal_bench._report(summary, checks_, {"probes": to_json(results)})
    printed = capsys.readouterr().out
    assert "responsive" in printed and "near-repeat" in printed and "vague_it_colleague" in printed
    assert sum(line.strip().startswith(("[PASS]", "[MISS]")) for line in printed.splitlines()) == 3
    [written] = tmp_path.glob("rehearsal-*.json")
    data = yaml.safe_load(written.read_text())  # JSON is YAML
    assert data["summary"]["probes_overall"]["probes"] == 16
    assert set(data["summary"]["probes_per_scenario"]) == {"vague_it_colleague", "tantrum_client"}
    assert len(data["probes"]["results"]) == 16 and data["checks"] == checks_


def test_the_benchmark_refuses_an_unknown_scenario():
    import typer

    from benchmarks.rehearsal_bench import _scenario_list

    assert _scenario_list(None) is None
    assert _scenario_list(" vague_it_colleague, tantrum_client ") == ["vague_it_colleague", "tantrum_client"]
    with pytest.raises(typer.BadParameter, match="no probe file for catering"):
        _scenario_list("vague_it_colleague,catering")
