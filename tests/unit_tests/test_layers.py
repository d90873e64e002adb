"""The layered layout holds: no upward import between layers, no cycle inside a package.

The contracts live in pyproject.toml ([tool.importlinter]); docs/architecture.md draws them.
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_imports_follow_the_layers_and_have_no_cycles(monkeypatch: pytest.MonkeyPatch) -> None:
    cli = pytest.importorskip("importlinter.cli", reason="import-linter is a dev dependency")
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))
    assert cli.lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0, (
        "an import breaks the layers or makes a cycle: see the report above"
    )
