"""Yearly tables of a run for other tools: IAMC and long CSV, and the variable list they follow.

`variables` is the table of exported variables (names, units, how months become a year);
`yearly` aggregates a run's monthly table to calendar years; `tables` writes the files;
`docpage` generates docs/variables.md from the same table.
"""

from abm.export.tables import FORMATS, Export, export_run, iamc_table, long_table, read_run
from abm.export.variables import NOT_EXPORTED, VARIABLES, Aggregation, Variable
from abm.export.yearly import yearly

__all__ = [
    "FORMATS",
    "NOT_EXPORTED",
    "VARIABLES",
    "Aggregation",
    "Export",
    "Variable",
    "export_run",
    "iamc_table",
    "long_table",
    "read_run",
    "yearly",
]
