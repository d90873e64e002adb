"""The long-lived parts of the product (catalog, store, coder, model, notes index, scorer),
built once per process (the UI caches them), and the model's read-ahead of every scene."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from langchain_core.language_models import BaseChatModel, BaseLanguageModel

from evals.coding.coded_turn import Coder
from evals.coding.coder import default_coder
from evals.coding.llm_coder import build_coder
from evals.scoring.llm_judge import build_goal_judge
from evals.scoring.scorer import Scorer
from simulator.core.catalog import Catalog, load_catalog
from simulator.core.models import ModelNotInstalled, build_model, describe_backend, prompt_style
from simulator.core.models.structured import grading_model
from simulator.core.settings import Settings
from simulator.engine import authoring, voice
from simulator.engine.retrieval import NotesIndex, make_client
from simulator.storage.store import Store

log = logging.getLogger(__name__)


@dataclass
class Services:
    """What a rehearsal needs, built once per process (the UI caches it)."""

    catalog: Catalog
    store: Store
    coder: Coder
    model: BaseLanguageModel
    index: NotesIndex | None = None
    backend_label: str = ""
    prompt_style: str = "script"  # "script" for completion models, "chat" for chat models
    problems: list[str] = field(default_factory=list)  # degraded parts, for the UI to show
    scorer: Scorer | None = None  # the feedback report's scorer; built from `coder` when left out
    grader: BaseChatModel | None = None  # writes better lines in reports when a capable LLM is configured
    drafter: BaseChatModel | None = None  # writes a first scenario draft when a capable LLM is configured
    authored_seen: int = 0  # the newest published version this process has loaded (a row id)

    def __post_init__(self) -> None:
        if self.scorer is None:
            self.scorer = Scorer(self.coder, self.catalog)
        self.catalog.drafts = authoring.draft_loader(self)
        authoring.refresh(self)

    def refresh_catalog(self) -> int:
        """Loads scenarios published since the last look (by this or another replica)."""
        return authoring.refresh(self)


def warm_scenes(services: Services) -> int:
    """Has the local model read the scene of every scenario once, so the first attempt of
    each starts warm: the server keeps the evaluated scenes (in its slots and its prompt
    cache in RAM) and a new attempt re-evaluates only what follows its scene. Run it in the
    background when the app starts; it returns the number of scenes read (0 for models
    that keep no prompt state). On two cores a scene costs about ten seconds, once."""
    if services.prompt_style != "script" or not getattr(services.model, "reuse_prefix", False):
        return 0
    read = 0
    for scenario in services.catalog.scenarios.values():
        cast = voice.Cast(scenario, services.catalog.persona_for(scenario))
        try:
            services.model.invoke(voice.scene(cast), max_tokens=1)
        except Exception as exc:  # only the first attempt of that scenario is slower
            log.warning("reading the scene of %s ahead failed: %s", scenario.id, exc)
            continue
        read += 1
    return read


def build_index(settings: Settings, catalog: Catalog) -> NotesIndex:
    """The notes index, with every valid scenario indexed (again only if its notes changed)."""
    from simulator.core.embeddings import embedding_function

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
    store = Store(settings.db_url)  # opening it upgrades the schema
    purged = store.retention.purge()  # attempts past the retention period an admin set
    if purged:
        log.info("purged %d attempt(s) past the retention period", purged)
    return Services(
        problems=problems,
        catalog=catalog,
        store=store,
        coder=coder,
        model=model,
        index=index,
        backend_label=describe_backend(settings),
        prompt_style=prompt_style(model),
        scorer=Scorer(build_coder(settings, coder), catalog, goal_judge=build_goal_judge(settings)),
        grader=grading_model(settings),
        drafter=authoring.drafting_model(settings),
    )
