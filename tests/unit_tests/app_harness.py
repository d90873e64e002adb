"""What the AppTest page tests share: the app's path, an environment per test (its own data
directory, the fake model, the real embedding model, sign-in on or off), and signing in
through the sign-in page."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from simulator.core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Before any test changes the data dir: the embedding model lives in the real models folder.
MODELS_DIR = Settings.from_env().models_path
TIMEOUT = 120
PASSWORD = "password1"
ENV_TO_CLEAR = ("SPARRING_DATABASE_URL", "SPARRING_CHROMA_HOST", "OPENAI_BASE_URL", "SPARRING_EMBEDDED_MODEL")


def app_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, auth: str = "off") -> Iterator[Path]:
    """For a fixture to yield from: a data directory of the test's own and a fresh services cache."""
    monkeypatch.setenv("SPARRING_LLM", "fake")
    monkeypatch.setenv("SPARRING_AUTH", auth)
    monkeypatch.setenv("SPARRING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SPARRING_MODELS_DIR", str(MODELS_DIR))
    for name in ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    from simulator.core.embeddings import missing_embedding_files

    missing = missing_embedding_files(Settings.from_env())
    if missing:
        pytest.skip(
            f"the embedding model is not installed in {MODELS_DIR} (missing {', '.join(missing)}); "
            "run `python -m simulator models install --embeddings-only`"
        )
    st.cache_resource.clear()
    yield tmp_path
    st.cache_resource.clear()


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def by_label(widgets, label: str):  # noqa: ANN001, ANN201 - AppTest widget lists
    found = [w for w in widgets if w.label == label]
    assert found, f"no {label!r} among {[w.label for w in widgets]}"
    return found[0]


def button(at: AppTest, label: str):  # noqa: ANN201 - an AppTest button
    return by_label(at.button, label)


def sign_in(at: AppTest, login: str, password: str = PASSWORD) -> AppTest:
    """Signs in through the sign-in page's form of a tab that shows it."""
    by_label(at.text_input, "User name or email").set_value(login)
    by_label(at.text_input, "Password").set_value(password)
    return button(at, "Sign in").click().run()


def signed_in(login: str, page: str | None = None, **params: str) -> AppTest:
    """A fresh tab where `login` signed in, on `page` (with `params` as its query string)."""
    at = ok(sign_in(AppTest.from_file(str(APP), default_timeout=TIMEOUT).run(), login))
    if page:
        at.query_params.update(params)
        at.switch_page(page).run()
    return ok(at)


def page_text(at: AppTest) -> str:
    """Everything the page says in markdown, captions and alerts, as one string."""
    parts = [*at.markdown, *at.caption, *at.info, *at.success, *at.error, *at.warning]
    return " ".join(str(p.value) for p in parts).replace("\\", "")
