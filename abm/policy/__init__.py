"""Adaptive policy: triggers that change scenario parameters mid-run when the model's state calls for it.

`state` names the state variables a condition may read, `triggers` parses and checks the
`[[triggers]]` of a scenario, `book` checks them monthly and applies what fires (docs/triggers.md).
"""
