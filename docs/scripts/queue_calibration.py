"""Feed a steady synthetic arrival stream through the interconnection queue and print calibration figures.

Run: .venv/bin/python docs/scripts/queue_calibration.py [--seed 1] [--mode serial|cluster|both] [--bench]
The table it prints is the generated block of docs/grid.md (section "Interconnection queues");
`--docs-dir DIR` also writes DIR/grid.md with that block rewritten from seed 1, both modes (what
docs/scripts/pages.py runs). Targets are from shared/DOMAIN-NUMBERS.md.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from page_blocks import write_spliced

from abm.grid.queue import InterconnectionQueue, Kind, QueueRules, State
from abm.numerics import elementary
from abm.schema import QueueSection
from abm.streams import Streams

SCRIPT = "docs/scripts/queue_calibration.py"
N_TERRITORIES = 20
NODES_PER_TERRITORY = 10
MONTHS = 360
COHORT = (120, 240)  # requests filed in years 10-20: steady state, all resolved by year 30
BUILT_WINDOW = (216, 240)  # "projects built in" two steady-state years, like LBNL's 2023-24
AGE_MONTH = 240  # snapshot month for the active-queue figures
# arrivals per territory per month (Poisson); ~10 gen+storage requests/territory/month matches
# ~2,200 new requests/yr across ~20 US territories (DN §1: ~500 GW/yr new, ~225 MW average)
ARRIVALS = {Kind.GENERATION: 6.0, Kind.STORAGE: 4.0, Kind.LOAD: 2.0}
MEDIAN_MW = {Kind.GENERATION: 150.0, Kind.STORAGE: 100.0, Kind.LOAD: 200.0}
CONSTRAINED_SHARE = 0.3  # share of nodes that are constrained load hubs
CONSTRAINED_HOSTING_MW = 100.0
FREE_HOSTING_MW = 1e7
DUPLICATE_SHARE = 0.3  # load projects also filed in a second territory
SPECULATIVE_SHARE = 0.5  # DN top #7: speculative share of DC load requests 0.5 (0.3-0.9)
FLEXIBLE_SHARE = 0.2  # load projects that accept a flexible (curtailable) connection


@dataclass
class Row:
    """One line of the calibration table."""

    figure: str
    model: float
    target: str
    source: str

    def fmt(self) -> str:
        """Markdown row."""
        return f"| {self.figure} | {self.model:.3g} | {self.target} | {self.source} |"


def rules_for(mode: str) -> QueueRules:
    """The schema's default rules in `mode`, national study starts split over N_TERRITORIES."""
    return QueueRules.from_config(QueueSection(mode=mode), studies_scale=1 / N_TERRITORIES)


def run(rules: QueueRules, seed: int) -> tuple[InterconnectionQueue, np.ndarray]:
    """Run one queue for MONTHS months of steady arrivals; return it and the base hosting array."""
    stream = np.random.default_rng(seed + 1000)  # the synthetic arrivals' own generator
    q = InterconnectionQueue(rules, N_TERRITORIES, Streams(seed))  # the queue's keyed draws
    n_nodes = N_TERRITORIES * NODES_PER_TERRITORY
    constrained = stream.random(n_nodes) < CONSTRAINED_SHARE
    base = np.where(constrained, CONSTRAINED_HOSTING_MW, FREE_HOSTING_MW)
    project = 0
    group = 0
    for month in range(MONTHS):
        for kind, rate in ARRIVALS.items():
            counts = stream.poisson(rate, N_TERRITORIES)
            terr = np.repeat(np.arange(N_TERRITORIES), counts)
            k = terr.size
            if k == 0:
                continue
            mw = MEDIAN_MW[kind] * elementary.exp(0.6 * stream.standard_normal(k))
            node = terr * NODES_PER_TERRITORY + stream.integers(0, NODES_PER_TERRITORY, k)
            proj = project + np.arange(k)
            project += k
            if kind != Kind.LOAD:
                q.submit(month, kind, mw, node, terr, requester=-1, project=proj)
                continue
            dup = np.where(stream.random(k) < DUPLICATE_SHARE, group + np.arange(k), -1)
            group += k
            spec = stream.random(k) < SPECULATIVE_SHARE
            flex = stream.random(k) < FLEXIBLE_SHARE
            q.submit(
                month, kind, mw, node, terr, 0, proj, dup_group=dup, flexible=flex, speculative=spec
            )
            twin = dup >= 0
            t2 = (
                terr[twin] + 1 + stream.integers(0, N_TERRITORIES - 1, twin.sum())
            ) % N_TERRITORIES
            n2 = t2 * NODES_PER_TERRITORY + stream.integers(0, NODES_PER_TERRITORY, t2.size)
            q.submit(
                month, kind, mw[twin], n2, t2, 0, proj[twin], dup[twin], flex[twin], spec[twin]
            )
        # what the flow engineer's hosting capacity would show: base + built upgrades - energised load
        energized = q.mw_by_node(n_nodes, Kind.LOAD)
        st = q.column("state")
        up = np.bincount(
            q.column("node")[st == State.ENERGIZED],
            weights=q.column("upgrade_mw")[st == State.ENERGIZED]
            * (q.column("kind")[st == State.ENERGIZED] == 0),
            minlength=n_nodes,
        )
        q.step(month, base + up - energized)
        if month == AGE_MONTH:
            q.snapshot = {  # type: ignore[attr-defined]
                "age": float(np.mean(q.months_in_queue(month)[q.active_ids])),
                "ia_share": _ia_share(q),
            }
    return q, constrained


def _ia_share(q: InterconnectionQueue) -> float:
    """Share of active gen+storage MW with a signed agreement (AGREEMENT or CONSTRUCTION)."""
    act = q.active_ids
    gen = q.column("kind", act) != Kind.LOAD
    st = q.column("state", act)[gen]
    mw = q.column("mw", act)[gen]
    return float(mw[st >= State.AGREEMENT].sum() / mw.sum())


def _completion(df: pd.DataFrame, by_mw: bool = True) -> float:
    """Share of resolved requests (by MW or by count) that were energised rather than withdrawn."""
    w = df.mw if by_mw else np.ones(len(df))
    return float(w[df.state == State.ENERGIZED].sum() / w.sum())


def _generation_rows(t: pd.DataFrame) -> list[Row]:
    """Generation and storage: time to operation, completion rates and where withdrawals happen."""
    cohort = t[(t.submit_month >= COHORT[0]) & (t.submit_month < COHORT[1])]
    resolved = cohort[cohort.state >= State.ENERGIZED]
    gen = resolved[resolved.kind != Kind.LOAD]
    built = _built(t)
    gen_built = (built.entered_energized - built.submit_month)[built.kind != Kind.LOAD]
    gen_w = gen[gen.state == State.WITHDRAWN]
    late_stage = float(
        gen_w.mw[gen_w.withdrawn_from_state.isin([State.FACILITIES_STUDY, State.AGREEMENT])].sum()
        / gen_w.mw.sum()
    )
    return [
        Row(
            "Median IR->COD, gen+storage built in 2 steady years (months)",
            float(np.median(gen_built)),
            "55",
            "DN top #3, LBNL Queued Up 2024/25",
        ),
        Row(
            "Completion by MW, gen+storage cohort",
            _completion(gen),
            "0.14 (0.14-0.21)",
            "DN top #4; DN §1",
        ),
        Row(
            "Completion by MW, generation",
            _completion(gen[gen.kind == Kind.GENERATION]),
            "0.13-0.31 (solar-gas)",
            "DN top #4",
        ),
        Row(
            "Completion by MW, storage (lowest)",
            _completion(gen[gen.kind == Kind.STORAGE]),
            "0.11",
            "DN top #4",
        ),
        Row(
            "Completion by count, gen+storage",
            _completion(gen, by_mw=False),
            "0.19-0.21",
            "DN §1 (NPUC, zonevex)",
        ),
        Row(
            "Withdrawn share by MW, gen+storage (resolved)",
            1 - _completion(gen),
            "0.7-0.8",
            "DN §1 model hint",
        ),
        Row(
            "Share of gen withdrawals (MW) at facilities study / IA",
            late_stage,
            "~0.33 (2024)",
            "DN §1, Queued Up 2025",
        ),
    ]


def _built(t: pd.DataFrame) -> pd.DataFrame:
    """Requests energised in the two steady-state years of BUILT_WINDOW."""
    return t[
        (t.state == State.ENERGIZED)
        & (t.entered_energized >= BUILT_WINDOW[0])
        & (t.entered_energized < BUILT_WINDOW[1])
    ]


def _snapshot_rows(q: InterconnectionQueue) -> list[Row]:
    """The active queue at AGE_MONTH: mean age and the share with a signed agreement."""
    return [
        Row("Mean age of active requests (months)", q.snapshot["age"], "34 (end-2023)", "DN §1"),  # type: ignore[attr-defined]
        Row(
            "Share of active gen+storage MW with IA",
            q.snapshot["ia_share"],  # type: ignore[attr-defined]
            "0.12 (2023) - 0.18 (2024)",
            "DN §1",
        ),
    ]


def _load_rows(t: pd.DataFrame, constrained: np.ndarray) -> list[Row]:
    """Data-centre loads: median waits at constrained hubs (flexible or not) and elsewhere."""
    loads = _built(t)
    loads = loads[loads.kind == Kind.LOAD]
    lwait = loads.entered_energized - loads.submit_month
    hub = constrained[loads.node.to_numpy()]
    hub_up = hub & (loads.upgrade_mw.to_numpy() > 0)
    flex = loads.flexible.to_numpy() & hub_up
    return [
        Row(
            "Median load wait, constrained hub with upgrade (months)",
            float(np.median(lwait[hub_up & ~flex])) if (hub_up & ~flex).any() else float("nan"),
            "36-84 (3-7 yr)",
            "DN top #5, Dominion",
        ),
        Row(
            "Median load wait, flexible at constrained hub (months)",
            float(np.median(lwait[flex])) if flex.any() else float("nan"),
            "earlier than inflexible",
            "Duke (DN §2 Flexibility)",
        ),
        Row(
            "Median load wait, unconstrained node (months)",
            float(np.median(lwait[~hub])),
            "36-48 (historic 3-4 yr)",
            "DN §1 Dominion",
        ),
    ]


def _phantom_rows(q: InterconnectionQueue) -> list[Row]:
    """Duplicate and speculative filings as shares of the requested load MW."""
    return [
        Row(
            "Phantom (duplicate twin) share of requested load MW",
            q.phantom_share_of_requested_mw(),
            "input: 30% of projects filed twice",
            "accounting check",
        ),
        Row(
            "Phantom or speculative share of requested load MW",
            q.phantom_share_of_requested_mw(include_speculative=True),
            "0.5 (0.3-0.9)",
            "DN top #7",
        ),
    ]


def figures(q: InterconnectionQueue, constrained: np.ndarray) -> list[Row]:
    """Compute the calibration figures for one run."""
    t = q.table()
    return [
        *_generation_rows(t),
        *_snapshot_rows(q),
        *_load_rows(t, constrained),
        *_phantom_rows(q),
    ]


def bench(seed: int) -> None:
    """Time one month step with about 1k, 10k and 50k active requests."""
    print("\n| active requests | ms per month step (median of 20) |\n|---|---|")
    for n_active in (1_000, 10_000, 50_000):
        rng = np.random.default_rng(seed)  # the synthetic arrivals
        rules = replace(
            rules_for("serial"),
            studies_per_month_per_territory=n_active / 200,
            load_studies_per_month_per_territory=n_active / 200,
        )
        q = InterconnectionQueue(rules, N_TERRITORIES, Streams(seed))
        n_nodes = N_TERRITORIES * NODES_PER_TERRITORY
        hosting = np.full(n_nodes, 500.0)
        month = 0
        # fill with arrivals over 24 months so requests spread over all states
        per_month = int(n_active * 1.3) // 24
        for month in range(24):
            terr = rng.integers(0, N_TERRITORIES, per_month)
            q.submit(
                month,
                rng.integers(0, 3, per_month),
                rng.uniform(10, 300, per_month),
                terr * NODES_PER_TERRITORY + rng.integers(0, NODES_PER_TERRITORY, per_month),
                terr,
                0,
                0,
                dup_group=np.where(
                    rng.random(per_month) < 0.2, rng.integers(0, per_month, per_month), -1
                ),
            )
            q.step(month, hosting)
        times = []
        for m in range(24, 44):
            terr = rng.integers(0, N_TERRITORIES, per_month)
            q.submit(
                m,
                rng.integers(0, 3, per_month),
                rng.uniform(10, 300, per_month),
                terr * NODES_PER_TERRITORY,
                terr,
                0,
                0,
            )
            t0 = time.perf_counter()
            q.step(m, hosting)
            times.append(time.perf_counter() - t0)
        print(f"| {q.active_ids.size:,} | {1000 * np.median(times):.2f} |")


def table(modes: list[str], results: dict[str, list[Row]]) -> str:
    """The calibration table: one row per figure, one column per queue mode."""
    head = "| Figure | " + " | ".join(f"model ({m})" for m in modes) + " | target | source |"
    lines = [head, "|" + "---|" * (len(modes) + 3)]
    for i, row in enumerate(results[modes[0]]):
        vals = " | ".join(f"{results[m][i].model:.3g}" for m in modes)
        lines.append(f"| {row.figure} | {vals} | {row.target} | {row.source} |")
    return "\n".join(lines)


def cluster_note(qc: InterconnectionQueue) -> str:
    """Cluster mode's lateness and penalties per territory-year."""
    cl = qc.clusters()
    late = float((cl.late_until_month > cl.deadline_month).mean())
    years = N_TERRITORIES * MONTHS / 12
    return (
        f"cluster mode: {len(cl)} clusters, {late:.0%} ran past the 150-day deadline "
        f"(DN Part 2 #11: 68% of 2022 studies late); late-study penalties "
        f"${cl.late_penalty_usd.sum() / 1e6 / years:.2f}M per territory-year; withdrawal "
        f"penalties ${qc.column('penalty_usd').sum() / 1e6 / years:.1f}M per territory-year"
    )


def main() -> None:
    """Parse arguments, run the requested modes, print the tables (and write the page block)."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mode", choices=["serial", "cluster", "both"], default="both")
    ap.add_argument(
        "--bench", action="store_true", help="also time month steps at 1k/10k/50k active"
    )
    ap.add_argument("--docs-dir", type=Path, help="also write DIR/grid.md with the table block")
    args = ap.parse_args()
    modes = ["serial", "cluster"] if args.mode == "both" else [args.mode]
    queues, results = {}, {}
    for mode in modes:
        queues[mode], constrained = run(rules_for(mode), args.seed)
        results[mode] = figures(queues[mode], constrained)
    text = table(modes, results)
    print(text)
    if "cluster" in queues:
        print("\n" + cluster_note(queues["cluster"]))
    if args.docs_dir is not None:
        docs = Path(__file__).resolve().parents[1]
        write_spliced(docs / "grid.md", args.docs_dir / "grid.md", SCRIPT, text)
    if args.bench:
        bench(args.seed)


if __name__ == "__main__":
    main()
