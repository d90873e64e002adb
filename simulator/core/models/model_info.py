"""What the model set-up is, in label/value pairs: for ``models info`` and the app's
model status. Reads files and asks a running server; starts nothing."""

from __future__ import annotations

from simulator.core.models import cpu
from simulator.core.models.factory import describe_backend
from simulator.core.models.llama_build import binding_system_info, current_build
from simulator.core.models.server import ModelServer, health
from simulator.core.settings import Settings

STATE_WORDS = {
    "ok": "running",
    "loading": "loading the model",
    "restarting": "restarting",
    "down": "not running (the app starts it on first use)",
}


def server_status(settings: Settings) -> dict:
    """The local model server's state, from its state file (nothing is started)."""
    if settings.model_server_url:
        root = settings.model_server_url.rstrip("/").removesuffix("/v1")
        return {"state": health(root), "url": root, "pid": None, "system_info": None}
    return ModelServer(lambda port: [], settings.data_dir).status()


def report(settings: Settings, *, with_binding: bool = True) -> list[tuple[str, str]]:
    flags = cpu.cpu_flags()
    rows = [
        ("Backend", describe_backend(settings)),
        ("CPU", f"{cpu.cpu_name()}{' (has AMX: kept off)' if cpu.has_amx(flags) else ''}"),
    ]
    if settings.llm != "embedded":
        return rows
    if not settings.model_server_url:
        rows.append(("Model file", f"{settings.gguf_path}{'' if settings.gguf_path.exists() else ' (not installed)'}"))
        build = current_build(settings.models_path, flags)
        if build is None:
            rows.append(("llama.cpp build", "none for this CPU: run python -m simulator models build"))
        else:
            rows += [
                ("llama.cpp build", f"{build.version}, tier {build.tier}, smoke test: {build.smoke}"),
                ("Build flags", " ".join(build.cmake_args)),
                ("CPU features in use", build.system_info or "not recorded yet"),
            ]
            if with_binding:
                rows.append(("Python binding", binding_system_info(build.bin_dir)))
    status = server_status(settings)
    where = f" at {status['url']}" if status.get("url") else ""
    pid = f" (pid {status['pid']})" if status.get("pid") else ""
    state = STATE_WORDS.get(status["state"], status["state"])
    rows.append(("Model server", f"{state}{where}{pid}"))
    if status.get("system_info"):
        rows.append(("Server CPU features", status["system_info"]))
    return rows


__all__ = ["binding_system_info", "report", "server_status"]
