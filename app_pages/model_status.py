"""What the pages say about the model: which backend answers, how its server is doing, and
whether replies are queueing. A status check never stops a page or a reply."""

from __future__ import annotations

from simulator.engine.services import Services


def model_is_busy(services: Services) -> bool:
    """True when the model server has replies queued behind others (a full workshop)."""
    load = getattr(services.model, "load", None)
    if not callable(load):
        return False
    try:
        now = load()
    except Exception:  # a status check never stops a reply
        return False
    return bool(now and now[1] > 0)


def model_status(services: Services) -> tuple[str, str | None]:
    """A one-line state of the local model server and the CPU features it uses, for the
    sidebar; ("", None) for backends without a supervised server."""
    supervisor = getattr(services.model, "supervisor", None)
    if supervisor is None:
        return "", None
    from simulator.core.models.model_info import STATE_WORDS

    status = supervisor.status()
    restarts = f", restarted {status['restarts']}×" if status.get("restarts") else ""
    return f"{STATE_WORDS.get(status['state'], status['state'])}{restarts}", status.get("system_info")


def is_fake_backend(services: Services) -> bool:
    """True when replies come from the deterministic test model, not a real one."""
    from simulator.core.models.fake import FakeScriptLLM

    return isinstance(services.model, FakeScriptLLM) or services.backend_label.lower().startswith("fake")
