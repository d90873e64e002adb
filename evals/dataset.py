"""`python -m evals.dataset`: the labelled data's commands (`check`, `split`, `export-corrections`),
the same as `python -m evals dataset …`."""

from __future__ import annotations

import sys
from pathlib import Path

from evals.cli import dataset_app


def main() -> None:
    dataset_app(prog_name=f"{Path(sys.executable).name} -m evals.dataset")


if __name__ == "__main__":
    main()
