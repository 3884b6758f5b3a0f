"""The dashboard page (/): hooks for URL state, configs and runs; the sidebar; the main column."""

from viz.dashboard.page import Dashboard

__all__ = ["Dashboard"]
