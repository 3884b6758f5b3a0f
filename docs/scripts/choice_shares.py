"""January 2025 path-choice shares by hyperscaler type: the logit probabilities each agent faces at month 0.

Prints, per type, the mean probability of each path for a 200 MW project under the month-0
signals of a scenario and seed, and the all-in cost of each path to that type
(docs/hyperscalers.md, "Firms that differ"). Before hyperscaler types existed every agent was
alike; on such a commit the script reports them as one type, "all".

    PYTHONPATH=$PWD python docs/scripts/choice_shares.py [scenario] [seed]
"""

from __future__ import annotations

import sys
from collections import defaultdict

import numpy as np

from abm.model import PowerStackModel
from abm.numerics import elementary
from abm.signals import planning_signals

PROJECT_MW = 200.0


def scale_of(model: PowerStackModel, costs: list[float]) -> float:
    """The logit scale the agents use (a share of the cheapest cost; older commits: a fixed USD)."""
    h = model.config.hyperscalers
    if hasattr(h, "choice_scale_share_of_cost"):
        return h.choice_scale_share_of_cost * max(min(costs), 1.0)
    return h.choice_scale_usd_per_mw_month


def main(scenario: str = "baseline", seed: int = 1) -> None:
    """Print the month-0 choice probabilities and path costs by type."""
    model = PowerStackModel(scenario, rng=seed)
    signals = planning_signals(0, model.power, model.grid, model.packs)
    prob: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    cost: dict[str, dict[str, float]] = {}
    for h in model.roster.hyperscalers:
        name = getattr(getattr(h, "firm_type", None), "name", "all")
        costs = h.path_costs_usd_per_mw_month(PROJECT_MW, signals)
        v = -np.array(list(costs.values())) / scale_of(model, list(costs.values()))
        p = elementary.exp(v - v.max())
        for path, x in zip(costs, p / p.sum(), strict=True):
            prob[name][str(path)].append(float(x))
        cost[name] = {str(k): c for k, c in costs.items()}
    print(f"{scenario}, seed {seed}, month 0, {PROJECT_MW:.0f} MW project")
    for name, by_path in prob.items():
        shares = ", ".join(f"{p} {np.mean(x):.1%}" for p, x in by_path.items())
        costs = ", ".join(f"{p} {c / 1e3:,.0f}k" for p, c in cost[name].items())
        print(f"  {name} ({len(next(iter(by_path.values())))} agents): {shares}")
        print(f"    cost USD/MW-month: {costs}")


if __name__ == "__main__":
    main(*(sys.argv[1:2] or ["baseline"]), *(int(a) for a in sys.argv[2:3]))
