"""The trained coder's mechanics, on a small model trained here with a hashing embedding.

How well the real model codes is the benchmark's job (`python -m evals benchmark`) and
tests/integration_tests/test_trained_coder.py's.
"""

from __future__ import annotations

import copy

import pytest

import evals.harness.train as train_module
from evals.coding.classifier import CoderUnavailable, TrainedCoder, ngram_text
from evals.coding.coder import default_coder
from evals.coding.features import Featurizer, sentences
from evals.coding.rules import RuleCoder
from evals.harness.dataset import load_all, split
from simulator.core.codes import CODES
from simulator.core.settings import Settings
from tests.conftest import HashEmbedding


@pytest.fixture(scope="module")
def small_model():
    train, _ = split(load_all())
    sample = train[::4]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(train_module, "C_GRID", (0.1,))
        mp.setattr(train_module, "FOLDS", 3)
        return train_module.fit(sample, Featurizer(HashEmbedding()), dim=HashEmbedding.DIM, log=lambda _: None)


@pytest.fixture
def coder(small_model):
    return TrainedCoder(small_model, HashEmbedding())


def test_codes_come_with_scores_for_every_code_and_cues_from_the_text(coder):
    texts = ["I hear you. That's outside our contract, but I can quote it by Thursday.", "What happened?"]
    for coded in coder.code_many([(t, "I need it free.") for t in texts]):
        assert coded.source == "trained" and set(coded.scores) == set(CODES)
        assert all(0 <= p <= 1 for p in coded.scores.values())
        assert set(coded.cues) == set(coded.codes)
        assert all(cue and cue.rstrip("…") in " ".join(t for t in texts) for cue in coded.cues.values())


def test_thresholds_decide_and_a_summary_is_never_also_a_reflection(small_model):
    small_model = copy.deepcopy(small_model)
    small_model.thresholds = {c: 0.0 for c in CODES}
    coded = TrainedCoder(small_model, HashEmbedding()).code("Let me sum up: three things went wrong.")
    assert "summary" in coded.codes and "reflection" not in coded.codes
    small_model.thresholds = {c: 1.01 for c in CODES}
    assert TrainedCoder(small_model, HashEmbedding()).code("What happened?").codes == frozenset()


def test_empty_turns_get_no_codes_and_keep_their_place(coder):
    coded = coder.code_many([("", None), ("What happened?", None), ("   ", "Hi")])
    assert len(coded) == 3 and coded[0].codes == coded[2].codes == frozenset()
    assert coded[1].scores


def test_a_model_built_for_other_features_is_refused(small_model):
    class Wider(HashEmbedding):
        DIM = 32

    with pytest.raises(CoderUnavailable, match="features do not match"):
        TrainedCoder(small_model.__class__(**{**small_model.__dict__, "embedding_dim": 32}), Wider())


def test_without_a_trained_model_the_rule_coder_steps_in_and_says_why(tmp_path):
    coder = default_coder(Settings(data_dir=tmp_path, models_dir=tmp_path / "models"))
    assert isinstance(coder, RuleCoder)
    coded = coder.code("What happened?")
    assert coded.codes == {"open_question"} and "python -m evals train" in coded.notes[0]


def test_the_fingerprint_follows_the_data():
    train, _ = split(load_all())
    assert train_module.fingerprint(train) == train_module.fingerprint(list(train))
    assert train_module.fingerprint(train) != train_module.fingerprint(train[:-1])


def test_sentences_split_on_ends_and_keep_short_turns():
    assert sentences("No. I can't. What I can do is quote it?") == ["No.", "I can't.", "What I can do is quote it?"]
    assert sentences("ok") == ["ok"]
    assert sentences("...") == ["..."]


def test_each_code_says_what_gave_it_and_near_calls_are_marked_unsure(small_model):
    coder = TrainedCoder(small_model, HashEmbedding())
    [coded] = coder.code_many([("I hear you. That's outside our contract, but I can quote it by Thursday.", None)])
    assert set(coded.why) == set(coded.codes)
    assert all(("rule matched" in why or "words like" in why or "embeddings" in why) for why in coded.why.values())
    assert all("sure, gives it from" in why for why in coded.why.values())
    near = copy.deepcopy(small_model)
    near.thresholds = {code: coded.scores[code] + 0.05 for code in CODES}  # every code just missed
    nearly = TrainedCoder(near, HashEmbedding()).code(
        "I hear you. That's outside our contract, but I can quote it by Thursday."
    )
    assert nearly.codes == frozenset() and set(nearly.unsure) == set(CODES)


def test_a_conversation_is_coded_in_order_each_turn_seeing_the_coachees_earlier_turns(small_model):
    from evals.coding.features import HISTORY_NAMES, history_features

    coder = TrainedCoder(small_model, HashEmbedding())
    items = [("We can't do Saturdays.", "I need Saturdays."), ("Still no.", "Come on, just this once.")]
    in_order = coder.code_conversation(items, earlier=["Hi Rick."])
    explicit = coder.code_many(items, [("Hi Rick.",), ("Hi Rick.", "We can't do Saturdays.")])
    assert [c.scores for c in in_order] == [c.scores for c in explicit]
    values = history_features("Still no.", ["We can't do Saturdays."], RuleCoder().code)
    features = dict(zip(HISTORY_NAMES, values, strict=True))
    assert features["hist:limit_before"] == 1.0 and features["hist:previous_limit"] == 1.0
    assert history_features("Hi.", [], RuleCoder().code)[0] == 0.0


def test_names_inside_a_sentence_carry_no_weight_in_the_ngrams():
    """A name that went with a code in the labelled data must not code another conversation."""
    assert ngram_text("Thanks for joining, Jack. Nothing you say goes back to Clearwell.") == (
        "thanks for joining, somename. nothing you say goes back to somename."
    )
    days = "Can we meet Friday at ten, or early in March?"
    assert ngram_text(days) == days.lower()  # days and months make a next step
    assert ngram_text("I'm sure I'd ask Howard's team. OK, the IT team.") == (
        "i'm sure i'd ask somename team. ok, the it team."  # "I" and acronyms are not names
    )
    assert ngram_text("Thanks for joining, Jack.") == ngram_text("Thanks for joining, Priya.")
