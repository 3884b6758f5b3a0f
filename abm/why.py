"""Why did a project choose its path: one project's decisions in plain words, read from a run folder.

`python -m abm why RUN_DIR PROJECT_ID` prints `why_text`; the words come from
`abm.metrics.choice_story.explain_choice` over `choices.parquet` and `projects.parquet`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from abm.errors import InputError
from abm.metrics.choice_story import explain_choice


def why_text(run_dir: Path, project_id: int) -> str:
    """The plain-words story of `project_id`'s path choices in the run written to `run_dir`."""
    choices_path, projects_path = run_dir / "choices.parquet", run_dir / "projects.parquet"
    if not choices_path.is_file():
        raise InputError(
            f"{run_dir}: no choices.parquet; expected the output folder of `powerstack run` (runs before the choice record have none)"
        )
    choices = pd.read_parquet(choices_path)
    projects = pd.read_parquet(projects_path) if projects_path.is_file() else None
    return explain_choice(choices, project_id, projects)
