"""The words every part of the model shares: paths, choices, products, projects and orders.

One vocabulary module, after ASSUME's `assume/common/market_objects.py`: agents, services,
metrics and the app speak of a project's `Path`, a hyperscaler's `Choice`, a pack-market
`Product` and an `Order` in these terms, and import nothing else to do so. The enums are
`StrEnum`/`IntEnum` (`Product` is defined with the battery physics and
named here), so their members compare and serialise exactly as the bare strings and
indices they replace. Labels, colours and config keys of each name are in `abm.catalogue`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple, Protocol

from abm.batteries.products import Product


class Path(StrEnum):
    """How a project gets power (a registered extra path is a plain string beside these)."""

    GRID = "grid"
    MODULAR_SECOND_LIFE = "modular_second_life"
    MODULAR_NEW = "modular_new"
    ONSITE_GAS = "onsite_gas"
    OTHER = "other"  # the wildcard path (e.g. orbital compute)


class Choice(StrEnum):
    """What a hyperscaler chooses; the vendor then designates a modular site's storage path."""

    GRID = "grid"
    MODULAR = "modular"
    ONSITE_GAS = "onsite_gas"
    OTHER = "other"


SECOND_LIFE_PRODUCTS: tuple[Product, ...] = (Product.A, Product.B, Product.C)


class Status(StrEnum):
    """Where a project stands."""

    WAITING = "waiting"  # ordered or queued, not yet powered
    ENERGIZED = "energized"
    CANCELLED = "cancelled"


class Switch(NamedTuple):
    """One change of path: the month it happened, the path left and the path taken."""

    month: int
    from_path: str
    to_path: str


@dataclass(eq=False)  # identity semantics: projects are entities, used as dict keys
class Project:
    """One campus or modular site: its size, path, site and the months it passed through."""

    pid: int
    owner: int  # hyperscaler unique_id
    mw: float  # facility peak MW
    path: str  # a `Path` (or a registered path name); `Choice.MODULAR` until the vendor designates
    node: int
    month_opened: int
    status: Status = Status.WAITING
    month_energized: int | None = None
    ready_month: float | None = None  # for paths with a known completion month (gas, other)
    queue_ids: list[int] = field(default_factory=list)
    dup_group: int = -1
    flexible: bool = False
    vendor: int | None = None  # vendor unique_id for modular paths
    storage_owner: int = -1  # StorageFleet owner index for modular sites
    switches: int = 0
    # bookkeeping for the per-project table (abm.metrics.project_table); no decision reads it
    month_withdrawn: int | None = None  # month its owner cancelled it
    switch_log: list[Switch] = field(default_factory=list)
    filings: int = 1  # utilities its owner asked to file a grid project with (abm.agents.filing)
    # bridge power (abm.agents.bridging): on-site gas run while a grid project waits
    bridge_mw: float = 0.0  # MW of bridge gas ordered (0: no bridge)
    bridge_supply: str = ""  # the order book it came from: "engines" or "turbines"
    bridge_ready_month: float | None = None  # month the bridge comes online
    bridge_end_month: int | None = None  # month it was retired (or its order cancelled)
    gas_backup: bool = False  # the bridge stays on site as backup after grid energisation
    second_life_storage_share: float | None = None  # modular sites: share of storage second life
    launch_attempts: int = 1  # wildcard projects: 2 when the first launch failed (abm.wildcard)
    contract: str = (
        ""  # modular sites: "ownership", "baas" or "ppa" (abm.contracts), set at booking
    )
    baas_fee_usd_per_mw_month: float = 0.0  # BaaS sites: the monthly fee fixed at booking
    ppa_price_usd_per_mwh: float = 0.0  # PPA sites: the fixed price of the site's power

    def bridge_online(self, month: int) -> bool:
        """Whether this project runs on bridge gas in `month` (ordered, delivered, not ended, still waiting)."""
        return (
            self.bridge_mw > 0
            and self.status is Status.WAITING
            and self.bridge_end_month is None
            and self.bridge_ready_month is not None
            and month >= self.bridge_ready_month
        )

    def time_to_power_months(self) -> float | None:
        """Months from opening to energisation, once energised."""
        if self.month_energized is None:
            return None
        return float(self.month_energized - self.month_opened + 1)


class Order(NamedTuple):
    """One bid or ask in the pack market: a product, usable kWh and a limit price (USD/kWh).

    A bid's price is the most the buyer pays, an ask's the least the seller takes.
    """

    product: int
    usable_kwh: float
    price_usd_per_kwh: float


class StorageBuyer(Protocol):
    """A bidder in the pack market."""

    unique_id: int

    def storage_bids(self) -> list[Order]:
        """Bids wanted this month (price: max USD/kWh)."""
        ...

    def receive_storage(self, product: int, usable_kwh: float, soh: float) -> None:
        """Take delivery of bought usable kWh at a state of health."""
        ...


class PackSeller(Protocol):
    """A seller in the pack market."""

    unique_id: int

    def asks(self) -> list[Order]:
        """Asks offered this month (price: min USD/kWh)."""
        ...
