"""The grid: topology builders, DC power flow with hosting capacity, the interconnection queue."""
