"""Markets: pure clearing of the pack call auction and the DC-OPF power market (no agents, no model)."""
