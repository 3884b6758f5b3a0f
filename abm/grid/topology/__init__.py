"""Grid topology: one ``networkx.Graph`` per grid, from a synthetic builder, a file or pandapower.

The package keeps apart, the way pandapower does: the shared conventions (``conventions``),
the case builder (``synthetic``), file formats (``files``), the pandapower importer
(``pandapower_import`` over ``pandapower_tables`` and ``repairs``) and the checks of a graph
(``validation``). ``build_grid`` (``build``) picks one from a scenario's source string.
"""

from abm.grid.topology.build import build_grid, shared_grid
from abm.grid.topology.conventions import BASE_MVA, EDGE_KEYS, GEN_KEYS, NODE_KEYS, TECHS
from abm.grid.topology.files import load_grid_file, save_grid_graphml, save_grid_json
from abm.grid.topology.pandapower_import import (
    pandapower_cases,
    pandapower_grid,
    pandapower_net_to_graph,
)
from abm.grid.topology.planning import PlanningCriteria
from abm.grid.topology.synthetic import INSTALLED_TO_PEAK, US_CAPACITY_SHARE, synthetic_grid
from abm.grid.topology.validation import validate_grid

__all__ = [
    "BASE_MVA",
    "EDGE_KEYS",
    "GEN_KEYS",
    "INSTALLED_TO_PEAK",
    "NODE_KEYS",
    "PlanningCriteria",
    "TECHS",
    "US_CAPACITY_SHARE",
    "build_grid",
    "shared_grid",
    "load_grid_file",
    "pandapower_cases",
    "pandapower_grid",
    "pandapower_net_to_graph",
    "save_grid_graphml",
    "save_grid_json",
    "synthetic_grid",
    "validate_grid",
]
