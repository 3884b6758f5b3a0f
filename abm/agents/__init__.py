"""Agent types: one module per type, each a mesa.Agent that decides through ports."""
