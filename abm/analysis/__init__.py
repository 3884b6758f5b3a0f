"""Analyses over many runs: lever attribution (`attribution`) and scenario discovery (`prim`, `discovery`).

`attribute_levers` splits each KPI's paired difference between two scenarios into per-lever
Shapley contributions; `discover` finds the lever boxes of a finished sweep where a KPI condition
holds (PRIM, with CART for comparison). Both return plain data the CLI and the app print or draw.
"""
