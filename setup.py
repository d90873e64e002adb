"""Which packages the wheel holds (everything else is in pyproject.toml).

The code is found, not listed. What lives at the repository's root ships inside the
simulator package, as simulator/bundle/: app.py (the Streamlit entry point that
`python -m simulator app` runs) and the scenario library, scenarios/ and personas/
(the default SPARRING_CONTENT_DIR of an installed copy; see simulator.core.settings).
"""

from setuptools import find_packages, setup

CODE = ["simulator", "evals", "benchmarks", "app_pages"]
BUNDLE = "simulator.bundle"

setup(
    packages=[
        *find_packages(include=[f"{name}{sub}" for name in CODE for sub in ("", ".*")]),
        f"{BUNDLE}.scenarios",
        f"{BUNDLE}.personas",
    ],
    package_dir={BUNDLE: "."},  # so simulator.bundle.scenarios is scenarios/, and so on
    py_modules=[f"{BUNDLE}.app"],
)
