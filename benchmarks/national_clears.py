"""Where a national run's LP clears go: clears per month by pass and hour, iterations, CPU.

`python benchmarks/national_clears.py [MONTHS]` runs the GBnetwork national configuration
(50 hyperscalers, 1,500 GW/yr merchant filings) without the counterfactual and prints, per
(pass, representative hour): clears, HiGHS `run` CPU per clear, dual simplex iterations and
LP solves (lazy line-row rounds) per clear, and how often the hour's inputs were byte-identical
to the previous pass's. Pass 0 is the month's first clearing, 1 the re-clear with shifted
compute, 2 the refill passes (stores cut to the recharge they got). CPU clock throughout
(`time.process_time`): other agents share the machine. A diagnostic, not part of `make bench`.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import highspy  # noqa: E402

from abm.markets import power_exchange  # noqa: E402
from abm.markets.power import PowerMarket  # noqa: E402

OVERRIDES = {
    "grid.source": "pandapower:GBnetwork",
    "hyperscalers.n_hyperscalers": 50,
    "queue.merchant_gw_per_year": 1500.0,
}

#: The exchange's month, day and hour clearings, wrapped in this order.
WRAPPED = ("clear_month", "_clear_day", "_clear_hour")


def _instrument(state: dict[str, Any]) -> None:
    """Wrap the exchange's month, day and hour and HiGHS's `run` to fill `state["rows"]`."""
    ex = power_exchange.PowerExchange
    month, day, hour = (getattr(ex, name) for name in WRAPPED)
    run, clear = highspy.Highs.run, PowerMarket.clear

    def clear_month(self: Any) -> None:
        state.update(passes=0, prev={}, n=0)
        month(self)

    def clear_day(self: Any, *args: Any) -> Any:
        out = day(self, *args)
        state["passes"] += 1
        return out

    def clear_hour(self: Any, load: Any, gen_bus: Any, cap: Any, cost: Any, *rest: Any) -> Any:
        h = state["n"] % 4
        key = (load.tobytes(), cap.tobytes(), cost.tobytes(), rest[1].tobytes(), len(gen_bus))
        same, state["prev"][h], state["n"] = state["prev"].get(h) == key, key, state["n"] + 1
        state["cur"] = {"pass": min(state["passes"], 2), "hour": h, "same": same}
        state["cur"].update(cpu=0.0, iterations=0, solves=0)
        out = hour(self, load, gen_bus, cap, cost, *rest)
        state["rows"].append(state["cur"])
        return out

    def timed_run(self: highspy.Highs) -> Any:
        started = time.process_time()
        out = run(self)
        cur = state.get("cur")
        if cur is not None:
            cur["cpu"] += time.process_time() - started
            cur["solves"] += 1
            cur["iterations"] += self.getInfo().simplex_iteration_count
        return out

    def timed_clear(self: PowerMarket, *args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        out = clear(self, *args, **kwargs)
        state["clear_cpu"] += time.process_time() - started
        return out

    for name, wrapper in zip(WRAPPED, (clear_month, clear_day, clear_hour), strict=True):
        setattr(ex, name, wrapper)
    highspy.Highs.run, PowerMarket.clear = timed_run, timed_clear


def main(months: int) -> None:
    """Run the national configuration for `months` and print the table."""
    from abm.model import PowerStackModel
    from abm.runner import run_model

    state: dict[str, Any] = {"rows": [], "clear_cpu": 0.0}
    _instrument(state)
    model = PowerStackModel("baseline", rng=1, **OVERRIDES, **{"run.months": months})
    run_model(model)
    groups: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for row in state["rows"]:
        groups[(row["pass"], row["hour"])].append(row)
    print("pass hour clears HiGHS_ms/clear iterations/clear solves/clear identical_inputs")
    for (p, h), rows in sorted(groups.items()):
        n = len(rows)
        cpu = 1e3 * sum(r["cpu"] for r in rows) / n
        its = sum(r["iterations"] for r in rows) / n
        solves = sum(r["solves"] for r in rows) / n
        same = sum(r["same"] for r in rows)
        print(f"{p} {power_exchange.HOUR_NAMES[h]} {n} {cpu:.2f} {its:.0f} {solves:.2f} {same}")
    highs_ms = 1e3 * sum(r["cpu"] for r in state["rows"]) / months
    print(f"clears/month {len(state['rows']) / months:.2f}")
    print(f"PowerMarket.clear CPU ms/month {1e3 * state['clear_cpu'] / months:.1f}")
    print(f"of which HiGHS run CPU ms/month {highs_ms:.1f}")
    lp = model.power.market.current_lp()
    print(f"LP at the end: {lp.num_row_} rows ({model.grid.n_bus} balance), {lp.num_col_} columns")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
