"""What happens to each finished run: counted, written to the store, shown on the progress bar."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from typing import Any

from abm.sweeps.store import ChunkWriter
from abm.sweeps.worker import RunTask, error_text

log = logging.getLogger(__name__)
MAX_LOST_EXAMPLES = 5


def show_progress(progress: bool | None) -> bool:
    """Progress bar on a terminal by default; quiet in scripts, pipes and CI."""
    return sys.stderr.isatty() if progress is None else progress


@dataclass
class Tally:
    """Counts for the progress bar and the summary."""

    ok: int = 0
    failed: int = 0
    lost: int = 0
    lost_messages: list[str] = field(default_factory=list)
    run_wall_s: float = 0.0
    run_cpu_s: float = 0.0


class Recorder:
    """The executors' callbacks: every row goes to the store and the tally, lost runs are logged."""

    def __init__(self, writer: ChunkWriter, bar: Any) -> None:
        self.writer = writer
        self.bar = bar
        self.tally = Tally()

    def on_row(self, row: dict[str, Any]) -> None:
        """A finished run (ok or failed): count it, buffer it for the store, advance the bar."""
        tally = self.tally
        if row["status"] == "ok":
            tally.ok += 1
        else:
            tally.failed += 1
            log.info("run %s (point %d) failed: %s", row["run_id"], row["point"], row["error"])
        tally.run_wall_s += row["wall_time_s"]
        tally.run_cpu_s += row["cpu_time_s"]
        self.writer.add(row)
        self.bar.set_postfix(failed=tally.failed, refresh=False)
        self.bar.update(1)

    def on_lost(self, task: RunTask, exc: BaseException) -> None:
        """A run whose worker died: it stays pending for --resume."""
        self.tally.lost += 1
        if len(self.tally.lost_messages) < MAX_LOST_EXAMPLES:
            self.tally.lost_messages.append(f"{task.run_id}: {error_text(exc)}")
        log.error("run %s lost (%s); it stays pending for --resume", task.run_id, error_text(exc))
