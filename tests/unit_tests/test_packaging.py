"""`pip install .` (not editable) gets everything the commands and the app read: the wheel,
built without dependencies from a copy of the sources, holds the pages, the app's entry
point, the scenario library, the labelled data and the benchmark scripts."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "setup.py", "README.md", "app.py")
FOLDERS = ("simulator", "evals", "benchmarks", "app_pages", "scenarios", "personas")

pytestmark = pytest.mark.packaging


def _setuptools_can_build() -> bool:
    """Whether this environment's setuptools is new enough to build without isolation (fast, offline)."""
    try:
        from importlib.metadata import version

        return int(version("setuptools").split(".")[0]) >= 77
    except Exception:  # noqa: BLE001 - no setuptools, or an odd version: build in isolation
        return False


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    if importlib.util.find_spec("pip") is None:
        pytest.skip("pip is not installed here, so `pip wheel` is unavailable")
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        shutil.copy2(REPO / name, source / name)
    for name in FOLDERS:  # a copy, so the build leaves no build/ or egg-info in the checkout
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "results"))
    out = tmp_path_factory.mktemp("wheels")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out)]
    if _setuptools_can_build():
        command.append("--no-build-isolation")
    proc = subprocess.run([*command, str(source)], capture_output=True, text=True, timeout=300)
    offline = (
        "satisfies the requirement setuptools" in proc.stderr or "distribution found for setuptools" in proc.stderr
    )
    if proc.returncode and offline:
        pytest.skip(f"the build backend (setuptools>=77) could not be installed: {proc.stderr.strip()[-300:]}")
    assert proc.returncode == 0, proc.stderr
    [built] = out.glob("sparring-*.whl")
    return zipfile.ZipFile(built)


def test_the_wheel_holds_the_app_and_its_pages(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    assert "simulator/bundle/app.py" in names
    for page in (REPO / "app_pages").glob("*.py"):
        assert f"app_pages/{page.name}" in names
    assert "app.py" not in names  # no top-level module named `app`


def test_the_wheel_holds_the_scenario_library(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for kind in ("scenarios", "personas"):
        files = sorted((REPO / kind).glob("*.yaml"))
        assert files
        for file in files:
            assert f"simulator/bundle/{kind}/{file.name}" in names
    assert (
        wheel.read("simulator/bundle/scenarios/tantrum_client.yaml")
        == (REPO / "scenarios" / "tantrum_client.yaml").read_bytes()
    )


def test_the_wheel_holds_the_evals_data_and_the_benchmark_scripts(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    data = REPO / "evals" / "data"
    for file in [data / "split.json", *data.glob("*/*.jsonl")]:
        assert f"evals/data/{file.relative_to(data).as_posix()}" in names
    for script in (REPO / "benchmarks" / "scripts").glob("*.txt"):
        assert f"benchmarks/scripts/{script.name}" in names
    probes = sorted((REPO / "benchmarks" / "probes").glob("*.yaml"))
    assert probes
    for file in probes:
        assert f"benchmarks/probes/{file.name}" in names


def test_the_wheel_holds_every_package_and_the_command(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for init in REPO.glob("*/**/__init__.py"):
        relative = init.relative_to(REPO).as_posix()
        if relative.split("/")[0] in FOLDERS:
            assert relative in names
    [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    assert "sparring = simulator.cli:main" in wheel.read(entry_points).decode()
