"""powerstack: an agent-based market model of the AI power stack on Mesa.

Public API for scripts: `load_scenario`, `PowerStackModel`, `run_scenario`. `__version__` is the
package's one version number, kept in `abm.version`.
"""

from typing import Any

from abm.errors import InputError
from abm.scenario import load_scenario
from abm.version import __version__

__all__ = ["InputError", "PowerStackModel", "__version__", "load_scenario", "run_scenario"]


def __getattr__(name: str) -> Any:
    """Import the model lazily so `import abm` (and the CLI's error paths) stay fast."""
    if name == "PowerStackModel":
        from abm.model import PowerStackModel

        return PowerStackModel
    if name == "run_scenario":
        from abm.runner import run_scenario

        return run_scenario
    raise AttributeError(f"module 'abm' has no attribute {name!r}")
