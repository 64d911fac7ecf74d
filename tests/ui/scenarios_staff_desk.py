"""Placeholder: being written."""
SCENARIOS = []
