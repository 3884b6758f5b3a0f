"""A sweep folder's fixed files (design.parquet, spec.toml, sweep.json) and the resume check.

A new folder gets its design, spec and manifest before any run; an existing one is resumed only
with `resume` and the same spec hash, after removing what a killed sweep left half-written.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pyarrow as pa

from abm import atomic
from abm.errors import InputError
from abm.sweeps.designs import salib_problem
from abm.sweeps.outputs import arrow_type
from abm.sweeps.plan import SweepPlan
from abm.sweeps.spec import SAMPLED_DESIGNS
from abm.sweeps.store import clean_torn, parts, recorded_ids, write_parquet

log = logging.getLogger(__name__)


def design_table(plan: SweepPlan) -> pa.Table:
    """design.parquet: point, replicate, seed, run id, values, and raw samples for SALib designs."""
    fields = [
        pa.field("point", pa.int64()),
        pa.field("replicate", pa.int64()),
        pa.field("seed", pa.int64()),
        pa.field("run_id", pa.string()),
    ]
    fields += [pa.field(c, arrow_type(c)) for c in plan.columns]
    columns: dict[str, list[Any]] = {
        "point": [r.point for r in plan.rows],
        "replicate": [r.replicate for r in plan.rows],
        "seed": [r.seed for r in plan.rows],
        "run_id": [r.run_id for r in plan.rows],
    }
    columns.update({c: [r.params[c] for r in plan.rows] for c in plan.columns})
    if plan.design.samples is not None:
        for j, name in enumerate(plan.design.names):
            fields.append(pa.field(f"sample.{name}", pa.float64()))
            columns[f"sample.{name}"] = [float(plan.design.samples[r.point, j]) for r in plan.rows]
    return pa.table(columns, schema=pa.schema(fields))


def manifest(plan: SweepPlan, schema: pa.Schema, kpis: list[str]) -> dict[str, Any]:
    """sweep.json: enough to analyse and to refuse resuming with a different spec."""
    from abm.runner import package_version

    spec = plan.spec
    return {
        "name": spec.name,
        "description": spec.description,
        "spec_hash": plan.spec_hash,
        "spec": spec.canonical(),
        "scenario_name": plan.base.name,
        "design": spec.design,
        "problem": salib_problem(spec) if spec.design in SAMPLED_DESIGNS else None,
        "parameters": list(plan.columns),
        "kpis": kpis,
        "n_points": len(plan.design.points),
        "n_runs": len(plan.runs),
        "schema": [[f.name, str(f.type)] for f in schema],
        "package_version": package_version(),
    }


def _resume_folder(out_dir: Path, plan: SweepPlan, resume: bool) -> set[str]:
    """Check an existing sweep folder may be resumed, clean it, and return its recorded run ids."""
    old = json.loads((out_dir / "sweep.json").read_text())
    if not resume:
        raise InputError(
            f"{out_dir}: already holds sweep {old.get('name')!r}; pass --resume to continue it or choose another --out"
        )
    if old.get("spec_hash") != plan.spec_hash:
        raise InputError(
            f"{out_dir}: holds a different sweep (spec or base scenario changed since it started); "
            "resume only with the same spec and scenario, or choose another --out"
        )
    removed = clean_torn(out_dir)
    if removed:
        log.info("removed %d temp/orphan files left by an interrupted sweep", removed)
    return recorded_ids(out_dir)


def prepare_folder(
    out_dir: Path, plan: SweepPlan, resume: bool, schema: pa.Schema, kpis: list[str]
) -> set[str]:
    """Create or check the sweep folder; return the run ids already recorded."""
    import tomli_w

    if (out_dir / "sweep.json").is_file():
        return _resume_folder(out_dir, plan, resume)
    if parts(out_dir / "runs"):
        raise InputError(f"{out_dir}: holds result parts but no sweep.json; choose another --out")
    out_dir.mkdir(parents=True, exist_ok=True)
    write_parquet(design_table(plan), out_dir / "design.parquet")
    spec_data = {k: v for k, v in plan.spec.canonical().items() if v not in (None, [], {})}
    atomic.write_text_atomic(out_dir / "spec.toml", tomli_w.dumps(spec_data))
    text = json.dumps(manifest(plan, schema, kpis), indent=2, sort_keys=True) + "\n"
    atomic.write_text_atomic(out_dir / "sweep.json", text)
    return set()
