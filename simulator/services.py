"""Builds the long-lived parts of the product once: catalog, store, coder, model, notes index."""

from __future__ import annotations

import logging

from evals.coder import Coder, default_coder
from evals.llm import grading_model
from evals.llm_coder import build_coder
from evals.llm_judge import build_goal_judge
from evals.scorer import Scorer
from simulator.catalog import Catalog, load_catalog
from simulator.config import Settings
from simulator.models import ModelNotInstalled, build_model, describe_backend, prompt_style
from simulator.rehearsal import Services
from simulator.retrieval import NotesIndex, make_client
from simulator.storage import Store

log = logging.getLogger(__name__)


def build_index(settings: Settings, catalog: Catalog) -> NotesIndex:
    """The notes index, with every valid scenario indexed (again only if its notes changed)."""
    from simulator.embeddings import embedding_function

    index = NotesIndex(make_client(settings), embedding_function(settings))
    for scenario in catalog.scenarios.values():
        index.ensure(scenario)
    return index


def build_services(
    settings: Settings,
    *,
    catalog: Catalog | None = None,
    coder: Coder | None = None,
    index: NotesIndex | None = None,
    with_index: bool = True,
) -> Services:
    catalog = catalog or load_catalog()
    model = build_model(settings)
    problems: list[str] = []
    if index is None and with_index:
        try:
            index = build_index(settings, catalog)
        except ModelNotInstalled:
            raise
        except Exception as exc:  # a Chroma server that is down: rehearse without notes, say so
            log.exception("notes index unavailable")
            where = (
                f"the Chroma server at {settings.chroma_host}:{settings.chroma_port}"
                if settings.chroma_host
                else "Chroma"
            )
            problems.append(f"Scenario notes are unavailable ({where}: {exc}); personas reply from their card alone.")
    coder = coder or default_coder(settings)
    return Services(
        problems=problems,
        catalog=catalog,
        store=Store(settings.db_url),
        coder=coder,
        model=model,
        index=index,
        backend_label=describe_backend(settings),
        prompt_style=prompt_style(model),
        scorer=Scorer(build_coder(settings, coder), catalog, goal_judge=build_goal_judge(settings)),
        grader=grading_model(settings),
    )
