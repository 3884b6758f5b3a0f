"""The package's one version number: pyproject.toml reads it, run.json, CITATION.cff and the app show it."""

__version__ = "0.1.0"
