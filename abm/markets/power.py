"""Network-constrained power market: a lossless DC optimal power flow solved with HiGHS.

Formulation (chosen by measurement, see docs/power-market.md): B-theta, with generation,
involuntary shedding, flexible-load curtailment and bus angles as variables, one balance row
per bus, and line-limit rows added only for lines found overloaded (lazy constraints). The
HiGHS models are kept between calls: a few copies of the same LP, each warm-started from the
basis of the most similar hour it solved before (the same representative hour a month
earlier rather than the hour just before), all keeping the line rows that bound before.

`PowerMarket.clear` is PyPSA's create -> solve -> assign pipeline in three named steps: set the
hour's costs and bounds on the warm copy (`_create`), solve with lazy line rows (`_solve`) and
read prices, flows and emissions back (`_assign`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import highspy
import numpy as np
import scipy.sparse as sp

from abm.errors import InputError
from abm.markets.power_highs import WarmCopy, silent_highs
from abm.markets.power_hour import Hour, Solution, validated_hour
from abm.markets.power_lp import balance_csc, network_matrices, solution_arrays
from abm.markets.power_network import NetworkArrays
from abm.numerics import SparseLDL, exact_dot

_INF = highspy.kHighsInf
_LIMIT_TOL_MW = 1e-6  # absolute slack on line limits before a line counts as violated
_BINDING_DUAL_TOL = 1e-6  # $/MWh: a limit row with a larger shadow price is binding
#: Warm-start copies of the LP kept per market (one per kind of hour, e.g. the model's four
#: representative hours); 1 gives the plain "warm-start from the previous call" behaviour.
WARM_MODELS = 4
#: An hour whose bounds differ from every copy's last hour by more than this share (relative
#: L1 distance of loads, flexible loads and generator limits) gets a copy of its own.
_NEW_COPY_DISTANCE = 0.05

__all__ = ["WARM_MODELS", "DispatchResult", "NetworkArrays", "PowerMarket"]


@dataclass
class DispatchResult:
    """Outcome of one market clearing (one representative hour)."""

    gen_mw: np.ndarray
    lmp_usd_per_mwh: np.ndarray
    line_flow_mw: np.ndarray
    shed_mw: np.ndarray
    flex_curtailed_mw: np.ndarray
    cost_usd_per_h: float
    co2_t_per_h: float
    binding_lines: np.ndarray
    status: str
    line_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    lp_solves: int = 0
    solver_s: float = 0.0
    marginal_co2_t_per_mwh: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """CO2 of serving one more MWh at each bus (t/MWh), from the optimal basis (see `_marginal_co2`)."""


class PowerMarket:
    """Clears a DC-OPF energy market on one topology, warm-starting successive hours."""

    def __init__(
        self,
        net: NetworkArrays,
        *,
        copper_plate: bool = False,
        voll_usd_per_mwh: float = 10_000.0,
        warm_models: int = WARM_MODELS,
    ) -> None:
        """Build the sparse network matrices once per topology; the LP itself is built lazily."""
        if not voll_usd_per_mwh > 0:
            raise InputError(f"voll_usd_per_mwh: {voll_usd_per_mwh}, expected > 0")
        if warm_models < 1:
            raise InputError(f"warm_models: {warm_models}, expected >= 1")
        self.warm_models = int(warm_models)
        self.net = net
        self.copper_plate = copper_plate
        self.voll_usd_per_mwh = float(voll_usd_per_mwh)
        n, n_line = net.n_bus, len(net.line_from)
        self._n_bus = n
        self._rating_mw = np.asarray(net.rating_mw, dtype=float)
        self._monitored = np.isfinite(self._rating_mw)
        b_mw_per_rad = net.base_mva / np.asarray(net.x_pu, dtype=float)
        # line flow (MW) per angle (rad) and net nodal outflow (MW) per angle (rad): the scipy
        # products' arrays built directly (`network_matrices`)
        self._bf, self._bbus = network_matrices(
            np.asarray(net.line_from), np.asarray(net.line_to), b_mw_per_rad, n
        )
        from scipy.sparse.csgraph import connected_components  # here: ~17 ms off every import

        n_island, island = connected_components(self._bbus, directed=False)
        reference = np.array([np.flatnonzero(island == k)[0] for k in range(n_island)])
        reference[island[net.slack]] = net.slack
        self._reference = reference  # angle reference per island (the slack for its own)
        self._n_balance = 1 if copper_plate else n
        self._copies: list[WarmCopy] = []  # same columns and rows, different last hours
        self._last: WarmCopy | None = None  # the copy that solved the last call
        self._gen_bus = np.zeros(0, dtype=np.int64)
        self._line_rows = np.zeros(0, dtype=np.int64)  # line index of each line row in the LP
        self._line_rows.flags.writeable = False  # shared with the results, never changed in place
        self._in_lp = np.zeros(n_line, dtype=bool)  # line has a limit row in the LP
        self._watch = self._monitored.copy()  # monitored and without a limit row yet
        self._balance_rows = np.arange(self._n_balance, dtype=np.int32)
        self._cost_head = (float("nan"), np.zeros(0))  # (curtailment cost, shed+curtail costs)
        self._uppers = np.zeros((0, 0))  # the copies' last upper bounds, one row each
        self._gap = np.zeros((0, 0))  # scratch for the distances to them (`_warm_copy`)
        self._lu = None  # factorised reduced susceptance matrix, copper plate flows only
        self._cols = np.zeros(0, dtype=np.int32)  # priced columns' indices (`_priced_cols`)

    # ---- LP assembly ------------------------------------------------------------------------
    # Columns: shedding per bus [0, load], curtailment per bus [0, flex], bus angles (network
    # mode only; free, 0 at island references), then generators [0, pmax], appended as built.
    # Rows: nodal balance per bus (one system balance on a copper plate), then line-limit rows
    # b (theta_from - theta_to) in [-rating, rating] for the lines found overloaded so far.

    @property
    def _first_gen_col(self) -> int:
        """Index of the first generator column."""
        return 2 * self._n_bus if self.copper_plate else 3 * self._n_bus

    def _balance_block(self, gen_bus: np.ndarray) -> sp.csc_matrix:
        """Balance-row coefficients of all columns for the given generators."""
        start, index, value = balance_csc(self._bbus, gen_bus, self.copper_plate)
        shape = (self._n_balance, len(start) - 1)
        return sp.csc_matrix((value, index, start), shape=shape)

    def _line_block(self, lines: np.ndarray, n_gen: int) -> sp.csr_matrix:
        """Line-limit row coefficients (flow as a function of the angle columns)."""
        n = self._n_bus
        zeros_left = sp.csr_matrix((len(lines), 2 * n))
        zeros_right = sp.csr_matrix((len(lines), n_gen))
        return sp.hstack([zeros_left, self._bf[lines], zeros_right], format="csr")

    def _build(self, gen_bus: np.ndarray, cost_all: np.ndarray, upper_all: np.ndarray) -> None:
        """Create the HiGHS model from scratch for this generator set, in one `passModel` call.

        The priced columns get this hour's costs and upper bounds straight away (the values
        setters on a zero model gave: a -0.0 stays the model's 0.0), so the hour's `_create`
        finds nothing changed and calls no column setter.
        """
        highs = self._copies[0].highs if self._copies else silent_highs()
        if len(self._line_rows):
            a = self._balance_block(gen_bus)
            a = sp.vstack([a, self._line_block(self._line_rows, len(gen_bus))], format="csc")
            start, index, value = a.indptr.astype(np.int32), a.indices.astype(np.int32), a.data
        else:  # straight from arrays: no scipy matrix in the way (~0.6 ms on case118)
            start, index, value = balance_csc(self._bbus, gen_bus, self.copper_plate)
        n_col, n_row = len(start) - 1, self._n_balance + len(self._line_rows)
        rating = self._rating_mw[self._line_rows]
        cost, lower, upper = self._column_arrays(n_col, cost_all, upper_all)
        # the array form of passModel: filling a HighsLp's fields costs ~0.2 ms on case118
        highs.passModel(
            n_col,
            n_row,
            len(value),
            int(highspy.MatrixFormat.kColwise),
            int(highspy.ObjSense.kMinimize),
            0.0,
            cost,
            lower,
            upper,
            np.r_[np.zeros(self._n_balance), -rating],
            np.r_[np.zeros(self._n_balance), rating],
            start,
            index,
            value,
            np.zeros(n_col, dtype=np.int32),  # all continuous (an empty array reads garbage)
        )
        self._gen_bus = gen_bus.copy()
        # cost and upper bound of the shedding, curtailment and generator columns in the model
        priced = self._priced_cols(len(gen_bus))
        self._copies = [WarmCopy(highs, cost[priced], upper[priced])]
        self._last = None
        self._stack_uppers()

    def _column_arrays(
        self, n_col: int, cost_all: np.ndarray, upper_all: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cost, lower and upper bound of every column: the priced ones this hour's, angles free.

        Angles are free but 0 at each island's reference. A priced value of 0 is written as
        0.0 whatever its sign, as the zero model's setters (changed entries only) left it.
        """
        n, g0 = self._n_bus, self._first_gen_col
        cost, lower, upper = np.zeros(n_col), np.zeros(n_col), np.zeros(n_col)
        for full, part in ((cost, cost_all), (upper, upper_all)):
            part = np.where(part != 0.0, part, 0.0)
            full[: 2 * n], full[g0:] = part[: 2 * n], part[2 * n :]
        if not self.copper_plate:
            lower[2 * n : 3 * n], upper[2 * n : 3 * n] = -_INF, _INF
            lower[2 * n + self._reference] = upper[2 * n + self._reference] = 0.0
        return cost, lower, upper

    def _add_generators(self, new_bus: np.ndarray) -> None:
        """Append generator columns (new plants) without disturbing the warm-start basis."""
        k = len(new_bus)
        rows = np.zeros(k, dtype=np.int32) if self.copper_plate else new_bus.astype(np.int32)
        for copy in self._copies:
            copy.highs.addCols(
                k,
                np.zeros(k),
                np.zeros(k),
                np.zeros(k),
                k,
                np.arange(k, dtype=np.int32),
                rows,
                np.ones(k),
            )
            copy.cost = np.concatenate((copy.cost, np.zeros(k)))
            copy.upper = np.concatenate((copy.upper, np.zeros(k)))
        self._gen_bus = np.concatenate((self._gen_bus, new_bus))
        self._stack_uppers()

    def _add_line_rows(self, lines: np.ndarray) -> None:
        """Add limit rows for newly overloaded lines; they stay for later hours (they bind again)."""
        a = self._line_block(lines, len(self._gen_bus))
        rating = self._rating_mw[lines]
        starts, index = a.indptr[:-1].astype(np.int32), a.indices.astype(np.int32)
        for copy in self._copies:  # every copy keeps the same rows (new rows enter basic)
            copy.highs.addRows(len(lines), -rating, rating, a.nnz, starts, index, a.data)
        self._line_rows = np.concatenate((self._line_rows, lines))
        self._line_rows.flags.writeable = False
        self._in_lp[lines] = True
        self._watch[lines] = False

    def _warm_copy(self, upper_all: np.ndarray) -> WarmCopy:
        """The copy whose last hour is nearest to this one; a new copy when none is near enough.

        A new copy starts from the nearest copy's LP and basis, so the first hour of each kind
        is warm-started from the previous call, as with a single model.
        """
        # bounds are >= 0, so the sum is the L1 norm; each row's sum is the one a 1-D sum gives
        scale = max(float(upper_all.sum()), 1e-9)
        gap = np.subtract(self._uppers, upper_all, out=self._gap)  # kept buffer, same floats
        distance = np.abs(gap, out=gap).sum(axis=1) / scale
        i = int(distance.argmin())
        nearest = self._copies[i]
        if distance[i] <= _NEW_COPY_DISTANCE or len(self._copies) >= self.warm_models:
            return nearest
        if self._last is None:  # nothing solved yet: the only copy is still empty
            return nearest
        highs = silent_highs()
        highs.passModel(nearest.highs.getLp())
        highs.setBasis(nearest.highs.getBasis())
        copy = WarmCopy(highs, nearest.cost.copy(), nearest.upper.copy())
        self._copies.append(copy)
        self._stack_uppers()
        return copy

    def _stack_uppers(self) -> None:
        """Keep the copies' upper bounds as rows of one array (the nearest copy in three calls).

        Each copy's `upper` becomes a view of its row; `_create` writes a copy's new bounds into
        it in place, so the rows stay current.
        """
        self._uppers = (
            np.array([c.upper for c in self._copies]) if self._copies else np.zeros((0, 0))
        )
        for row, c in zip(self._uppers, self._copies, strict=True):
            c.upper = row
        self._gap = np.empty_like(self._uppers)

    def _implied_flows_mw(self, injection_mw: np.ndarray) -> np.ndarray:
        """DC flows a copper-plate dispatch would cause; island imbalances land on the reference."""
        if self._lu is None:
            keep = np.ones(self._n_bus, dtype=bool)
            keep[self._reference] = False
            self._nonref = np.flatnonzero(keep)
            self._lu = SparseLDL(self._bbus[self._nonref][:, self._nonref]) if keep.any() else False
        theta_rad = np.zeros(self._n_bus)
        if self._lu is not False:
            theta_rad[self._nonref] = self._lu.solve(injection_mw[self._nonref])
        return self._bf @ theta_rad

    def set_ratings(self, rating_mw: np.ndarray) -> None:
        """New line ratings (MW; reinforcements) for the limit rows in the LP too; bases stay warm."""
        if not np.array_equal(rating_mw, r := self._rating_mw):
            r = self._rating_mw = np.array(rating_mw, dtype=float)
            self._monitored, self.net = np.isfinite(r), replace(self.net, rating_mw=r)
            self._watch = self._monitored & ~self._in_lp
            rows = np.arange(len(self._line_rows), dtype=np.int32) + self._n_balance
            for c in self._copies:  # rows stay in the same order in every copy
                c.highs.changeRowsBounds(rows.size, rows, -r[self._line_rows], r[self._line_rows])

    def current_lp(self) -> highspy.HighsLp:
        """The LP as last solved (with its line rows), e.g. to time a bare HiGHS solve of it."""
        if self._last is None:
            raise InputError("current_lp: nothing cleared yet")
        return self._last.highs.getLp()

    # ---- clearing ---------------------------------------------------------------------------

    def clear(
        self,
        load_mw: np.ndarray,
        gen_bus: np.ndarray,
        gen_pmax_mw: np.ndarray,
        gen_cost_usd_per_mwh: np.ndarray,
        gen_co2_t_per_mwh: np.ndarray,
        flex_load_mw: np.ndarray | None = None,
        flex_curtail_cost_usd_per_mwh: float = 1_000.0,
    ) -> DispatchResult:
        """Dispatch generators at least cost for one hour; return prices, flows, shedding, CO2.

        `load_mw` is firm load per bus (shed only at the value of lost load). `flex_load_mw` is
        additional flexible data-centre load per bus, served unless curtailing it at
        `flex_curtail_cost_usd_per_mwh` (below VOLL) is cheaper. A changed generator set is
        handled: appended plants are added as columns, any other change rebuilds the LP.
        """
        hour = validated_hour(
            self._n_bus,
            self.voll_usd_per_mwh,
            load_mw,
            gen_bus,
            gen_pmax_mw,
            gen_cost_usd_per_mwh,
            gen_co2_t_per_mwh,
            flex_load_mw,
            flex_curtail_cost_usd_per_mwh,
        )
        highs = self._create(hour)
        solved = self._solve(highs, hour)
        if solved.status != "optimal":
            return self._failed(solved.status, len(hour.gen_bus), solved.solves, solved.solver_s)
        return self._assign(highs, hour, solved)

    def _priced_cols(self, n_gen: int) -> np.ndarray:
        """Column indices of shedding, curtailment and the generators, kept while the LP's columns stay."""
        if len(self._cols) != 2 * self._n_bus + n_gen:
            g0 = self._first_gen_col
            self._cols = np.concatenate(
                (
                    np.arange(2 * self._n_bus, dtype=np.int32),
                    np.arange(g0, g0 + n_gen, dtype=np.int32),
                )
            )
            self._cols.flags.writeable = False
        return self._cols

    def _create(self, hour: Hour) -> highspy.Highs:
        """Set the hour's costs, bounds and demand on the nearest warm copy of the LP; return it.

        The generator columns are synced first (appended plants added, any other change rebuilds).
        Only changed costs and bounds are touched: an unchanged cost vector keeps the basis dual
        feasible, so HiGHS warm-starts from the copy's last hour.
        """
        gen_bus = hour.gen_bus
        n_gen, old = len(gen_bus), self._gen_bus
        cost_all = np.concatenate((self._head_cost(hour.flex_curtail_cost_usd_per_mwh), hour.cost))
        upper_all = hour.upper  # load, flex and pmax end to end
        if not self._copies or n_gen < len(old) or not (old == gen_bus[: len(old)]).all():
            self._build(gen_bus, cost_all, upper_all)
        elif n_gen > len(old):
            self._add_generators(gen_bus[len(old) :])
        cols = self._priced_cols(n_gen)
        warm = self._warm_copy(upper_all)
        highs = warm.highs
        changed = cost_all != warm.cost
        if changed.any():
            k_cols = cols[changed]
            highs.changeColsCost(k_cols.size, k_cols, cost_all[changed])
        changed = upper_all != warm.upper
        if changed.any():
            k_cols = cols[changed]
            highs.changeColsBounds(k_cols.size, k_cols, np.zeros(k_cols.size), upper_all[changed])
        warm.cost = cost_all
        warm.upper[:] = upper_all  # its row of `_uppers`
        self._last = warm
        load, flex = hour.load, hour.flex
        demand_mw = np.array([np.sum(load) + np.sum(flex)]) if self.copper_plate else load + flex
        highs.changeRowsBounds(self._n_balance, self._balance_rows, demand_mw, demand_mw)
        return highs

    def _head_cost(self, flex_cost: float) -> np.ndarray:
        """Costs of the shedding and curtailment columns (VOLL, then the curtailment cost), kept."""
        if self._cost_head[0] != flex_cost:  # NaN at first: never equal
            n = self._n_bus
            head = np.concatenate((np.full(n, self.voll_usd_per_mwh), np.full(n, flex_cost)))
            head.flags.writeable = False
            self._cost_head = (flex_cost, head)
        return self._cost_head[1]

    def _solve(self, highs: highspy.Highs, hour: Hour) -> Solution:
        """Run HiGHS, adding limit rows for overloaded lines and re-solving until none is left.

        On a copper plate there are no line rows: the flows are those the dispatch implies.
        """
        n, g0 = self._n_bus, self._first_gen_col
        solves = 0
        solver_s = 0.0
        while True:
            started = time.perf_counter()
            highs.run()
            solver_s += time.perf_counter() - started
            solves += 1
            status = highs.getModelStatus()
            if status != highspy.HighsModelStatus.kOptimal:
                return Solution(highs.modelStatusToString(status), solves, solver_s)
            x, row_dual = solution_arrays(highs)
            if self.copper_plate:
                injection = (
                    np.bincount(hour.gen_bus, weights=x[g0:], minlength=n) + x[:n] + x[n : 2 * n]
                )
                flow = self._implied_flows_mw(injection - hour.load - hour.flex)
                break
            flow = self._bf @ x[2 * n : 3 * n]
            excess = np.abs(flow) - self._rating_mw - _LIMIT_TOL_MW
            violated = np.flatnonzero(self._watch & (excess > 0))
            if violated.size == 0:
                break
            self._add_line_rows(violated)
        return Solution("optimal", solves, solver_s, x, row_dual, flow)

    def _assign(self, highs: highspy.Highs, hour: Hour, solved: Solution) -> DispatchResult:
        """Read the optimal hour back: dispatch, nodal prices (balance duals), flows, CO2."""
        n, x, y = self._n_bus, solved.x, solved.row_dual
        lmp = np.full(n, y[0]) if self.copper_plate else y[:n].copy()
        gen_mw = x[self._first_gen_col :]
        # Binding = the limit row carries a shadow price; a line that merely touches its rating
        # with a zero price (degenerate) does not congest anything and is not reported.
        line_dual = y[self._n_balance :]
        rows = self._line_rows
        binding = (
            np.sort(rows[np.abs(line_dual) > _BINDING_DUAL_TOL])
            if rows.size
            else np.zeros(0, dtype=rows.dtype)  # no line rows: the sort's empty result
        )
        return DispatchResult(
            gen_mw=gen_mw,
            lmp_usd_per_mwh=lmp,
            line_flow_mw=solved.flow_mw,
            shed_mw=x[:n],
            flex_curtailed_mw=x[n : 2 * n],
            cost_usd_per_h=float(highs.getObjectiveValue()),
            co2_t_per_h=exact_dot(gen_mw, hour.co2),
            binding_lines=binding,
            status="optimal",
            line_rows=self._line_rows,  # read-only; a new array whenever rows are added
            lp_solves=solved.solves,
            solver_s=solved.solver_s,
            marginal_co2_t_per_mwh=self._marginal_co2(highs, hour),
        )

    def _marginal_co2(self, highs: highspy.Highs, hour: Hour) -> np.ndarray:
        """CO2 of one more MWh at each bus: the balance rows' duals with CO2 in place of cost.

        The LMP is y = B^-T c_B (the basic columns' costs through the optimal basis); the same
        solve with the basic columns' emission factors gives the change in CO2 per MW of load
        at each bus, i.e. the emissions of the marginal units that would serve it. Shed load
        and curtailed flexible load emit nothing; where they are marginal the factor is 0.
        """
        g0 = self._first_gen_col
        co2_col = np.zeros(g0 + len(hour.gen_bus) + 1)  # the last entry: 0 for basic rows
        co2_col[g0:-1] = hour.co2
        _, basic = highs.getBasicVariables()  # a column's index, or -1 - row for a row
        co2_basic = co2_col[np.maximum(basic, -1)]  # int32 indices: the same entries
        _, y = highs.getBasisTransposeSolve(co2_basic)
        y = np.asarray(y, dtype=float)
        return np.full(self._n_bus, y[0]) if self.copper_plate else y[: self._n_bus].copy()

    def _failed(self, message: str, n_gen: int, solves: int, solver_s: float) -> DispatchResult:
        """Result of a solve that did not reach optimality: NaN arrays and HiGHS's message."""
        n, n_line = self._n_bus, len(self._rating_mw)
        self._copies, self._last = [], None  # the bases are suspect: start the next hour cold
        return DispatchResult(
            gen_mw=np.full(n_gen, np.nan),
            lmp_usd_per_mwh=np.full(n, np.nan),
            line_flow_mw=np.full(n_line, np.nan),
            shed_mw=np.full(n, np.nan),
            flex_curtailed_mw=np.full(n, np.nan),
            cost_usd_per_h=float("nan"),
            co2_t_per_h=float("nan"),
            binding_lines=np.zeros(0, dtype=np.int64),
            status=message,
            line_rows=self._line_rows.copy(),
            lp_solves=solves,
            solver_s=solver_s,
            marginal_co2_t_per_mwh=np.full(n, np.nan),
        )
