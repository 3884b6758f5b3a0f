"""PowerStackModel: builds the services and agents from a scenario and steps one month in stages.

The model only wires: four services own the work (`packs`: pack economy, `grid`: grid and
queue desk, `power`: power exchange, `projects`: project book) and agents decide through the
ports those services give them. `step()` is the stage list of docs/architecture.md; `abm.runner.run_model` is the one loop
that steps it to the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mesa
import numpy as np

from abm.agents.firm_types import agents_per_type
from abm.agents.hyperscaler import Hyperscaler
from abm.agents.oem import OEM
from abm.agents.recycler import Recycler
from abm.agents.utility import Utility
from abm.agents.vendor import ModularVendor
from abm.carbon import CarbonFactors
from abm.clock import Clock
from abm.config_readers import ConfigReaders
from abm.errors import InputError
from abm.grid.desk import GridDesk
from abm.ledger import Ledger
from abm.markets.pack_exchange import PackExchange
from abm.markets.power_exchange import PowerExchange
from abm.metrics import MonthRecorder, make_datacollector
from abm.policy.book import TriggerBook
from abm.projects import ProjectBook
from abm.roster import Roster
from abm.scenario import config_with, load_scenario
from abm.schema import ScenarioConfig
from abm.signals import path_wait_months, planning_signals
from abm.streams import Streams
from abm.world import Calendar


class PowerStackModel(mesa.Model):
    """The AI power stack: five agent types trading packs and power over a grid with queues."""

    def __init__(self, config: ScenarioConfig | str | None = None, **overrides: Any) -> None:
        """A model of `config` (a ScenarioConfig, a scenario name or path; baseline if None).

        Keyword overrides use `section__field=value`; `rng` seeds the run, and SolaraViz's
        Reset may pass a mesa `scenario` carrying one.
        """
        rng = overrides.pop("rng", None)
        mesa_scenario = overrides.pop("scenario", None)  # SolaraViz's Reset passes a mesa Scenario
        if mesa_scenario is not None:
            if not hasattr(mesa_scenario, "rng"):
                raise InputError(
                    f"scenario = {mesa_scenario!r}; expected a mesa Scenario (use the first argument for a powerstack scenario)"
                )
            rng = mesa_scenario.rng if rng is None else rng
        cfg = resolve_config(config, overrides)
        seed = cfg.run.seed if rng is None else rng
        if isinstance(seed, (int, np.integer)) and int(seed) != cfg.run.seed:
            cfg = config_with(cfg, {"run.seed": int(seed)})
        super().__init__(rng=seed)
        self.config = cfg
        self.config_readers = ConfigReaders()  # every holder of the config (abm.config_readers)
        self.config_readers.register(self, "scenario")
        self.streams = Streams(  # every draw of the run (docs/randomness.md), not Mesa's rng
            cfg.run.seed if isinstance(seed, (int, np.integer)) else int(self.rng.integers(2**32))
        )
        self.calendar = Calendar.from_config(cfg)
        self.clock = Clock(self.calendar)
        self.ledger = Ledger()
        self.carbon = CarbonFactors(**cfg.carbon.model_dump())
        self.recorder = MonthRecorder(self)
        self.roster = Roster()
        self._build_services()
        self._build_agents()
        self.projects.open_initial_pipeline()
        self.triggers = TriggerBook(cfg.triggers)  # adaptive policy (docs/triggers.md)
        self.datacollector = make_datacollector(self.recorder.columns)

    def _build_services(self) -> None:
        """The four services, wired to each other through explicit references."""
        cfg, clock, calendar = self.config, self.clock, self.calendar
        reads = self.config_readers.register  # each service registers as it is built
        self.grid = reads(GridDesk(cfg, clock, self.streams, self.ledger))
        cfg = self.grid.config  # national quantities scaled to the grid (abm.schema.national)
        roster = self.roster
        self.projects = reads(
            ProjectBook(
                cfg,
                clock,
                calendar,
                self.streams,
                self.recorder,
                self.grid,
                roster.vendors,
                roster.hyperscalers,
            )
        )
        self.packs = reads(
            PackExchange(
                cfg, clock, calendar, self.ledger, self.recorder, self.roster, self.projects
            )
        )
        reads(self.packs.contracts)  # the exchange's contract book prices fees from the config
        self.power = reads(PowerExchange(cfg, clock, calendar, self.grid, self.roster.utilities))
        self.grid.bind(self.projects, self.power)

    def _build_agents(self) -> None:
        """All five agent types; hyperscalers by type (its demand share split evenly), OEMs paired with recyclers round-robin."""
        reads = self.config_readers.register  # each agent registers as it is built
        cfg, clock, packs, ledger, roster = (
            self.grid.config,  # scaled to the grid
            self.clock,
            self.packs,
            self.ledger,
            self.roster,
        )
        for t in range(self.grid.n_territories):
            roster.utilities.append(
                reads(Utility(self, t, config=cfg, clock=clock, grid=self.grid, packs=packs))
            )
        n_r = cfg.recyclers.n_recyclers
        for _ in range(n_r):
            capacity = cfg.recyclers.test_capacity_gwh_per_month / n_r
            roster.recyclers.append(
                reads(Recycler(self, capacity, config=cfg, packs=packs, ledger=ledger))
            )
        n_o = cfg.oems.n_oems
        for i in range(n_o):
            u = float(self.streams.uniform("oem.contract_months", i))
            months = 1 + int(u * cfg.packs.contract_months)
            oem = reads(
                OEM(
                    self,
                    1.0 / n_o,
                    roster.recyclers[i % n_r],
                    months,
                    config=cfg,
                    clock=clock,
                    packs=packs,
                    recyclers=roster.recyclers,
                    ledger=ledger,
                )
            )
            roster.oems.append(oem)
        for _ in range(cfg.vendors.n_vendors):
            roster.vendors.append(
                reads(
                    ModularVendor(
                        self, config=cfg, clock=clock, packs=packs, projects=self.projects
                    )
                )
            )
        self._build_hyperscalers()
        self._open_oem_lines()

    def _build_hyperscalers(self) -> None:
        """Hyperscalers by type, a type's demand share split evenly over its agents."""
        reads, cfg = self.config_readers.register, self.grid.config  # scaled to the grid
        roster = self.roster
        types = cfg.hyperscalers.types
        for firm, n in zip(
            types, agents_per_type(types, cfg.hyperscalers.n_hyperscalers), strict=True
        ):
            for _ in range(n):  # a type's agents share its demand evenly
                roster.hyperscalers.append(
                    reads(
                        Hyperscaler(
                            self,
                            firm.demand_share / n,
                            config=cfg,
                            streams=self.streams,
                            projects=self.projects,
                            sites=self.grid,
                            firm_type=firm,
                        )
                    )
                )

    def _open_oem_lines(self) -> None:
        """Each OEM's own second-life line (`oems.stationary_line_gwh_per_month`, split by share), built last so other ids stay."""
        cfg = self.grid.config  # scaled to the grid
        o = cfg.oems
        if o.stationary_line_gwh_per_month <= 0:
            return
        for oem in self.roster.oems:
            line = self.config_readers.register(
                Recycler(
                    self,
                    o.stationary_line_gwh_per_month * oem.share,
                    config=cfg,
                    packs=self.packs,
                    ledger=self.ledger,
                    repurpose_cost_share=o.line_repurpose_cost_share,
                )
            )
            self.roster.oem_lines.append(line)
            oem.open_line(line)

    @property
    def month(self) -> int:
        """Index of the month being simulated; -1 before the first step."""
        return self.clock.month

    def step(self) -> None:
        """Advance one month: the numbered stages of docs/architecture.md, one owner per call."""
        self.triggers.check(self)  # 0 policy: triggers on last month's state act from this month
        self.ledger.start_month(self.clock.tick(self.time))
        self.packs.start_month()  # 1 world: retirements
        self.projects.start_month()  # 1 world: engine supply
        self.grid.start_month()  # 1 world: load growth, merchant requests
        signals = planning_signals(self.month, self.power, self.grid, self.packs)
        self._in_order(Hyperscaler, "plan").do("plan", signals)  # 2
        self._in_order(Hyperscaler, "bridge").do("consider_bridges", signals)  # 2 bridge gas
        self.projects.progress_direct_paths()  # 2 gas and wildcard projects come online
        self.agents_by_type[OEM].do("deliver_packs")  # 3
        self._in_order(Recycler, "grade_and_route").do("grade_and_route")  # 4
        self.packs.plan_augmentation()  # 4 vendors' augmentation wishes
        self.packs.clear_market()  # 5
        self._in_order(ModularVendor, "build").do("build")  # 6
        self.grid.advance_queue()  # 7
        self._in_order(Hyperscaler, "replan").do("replan_lost_projects", signals)  # 7 owners
        self.agents_by_type[Utility].do("plan_generation")  # 7
        self.power.clear_month()  # 8
        self.packs.age_fleet()  # 9
        self.packs.smooth_second_life_supply()  # 10 signals
        waits = path_wait_months(self.grid, self.packs, self.projects)
        self.agents_by_type[Hyperscaler].do("observe", waits)  # 10 hyperscalers learn
        self.recorder.record()  # 10 metrics
        self.datacollector.collect(self)
        if self.month >= self.config.run.months - 1:
            self.running = False

    def _in_order(self, agent_type: type[mesa.Agent], stage: str) -> mesa.agent.AgentSet:
        """The agents of a type in this stage's random order, keyed by (stage, month, agent id).

        Not Mesa's `shuffle_do`: its shared `random` would tie every order to all draws before it.
        """
        agents = list(self.agents_by_type[agent_type])
        ids = [a.unique_id for a in agents]
        order = self.streams.order(f"activation.{stage}", ids, self.month)
        return mesa.agent.AgentSet([agents[i] for i in order], random=self.random)


def resolve_config(
    config: ScenarioConfig | str | None, overrides: Mapping[str, Any]
) -> ScenarioConfig:
    """A scenario config from an object, a name/path, or the baseline, with keyword overrides applied."""
    if config is None:
        cfg = load_scenario("baseline")
    elif isinstance(config, ScenarioConfig):
        cfg = config
    elif isinstance(config, str):
        cfg = load_scenario(config)
    else:
        raise InputError(
            f"config = {config!r}; expected a ScenarioConfig, a scenario name or a path"
        )
    if overrides:
        cfg = config_with(
            cfg,
            {k.replace("__", "."): v for k, v in overrides.items()},
            where="model keyword arguments",
        )
    return cfg
