"""Spend guards: limits on cloud calls, and the tokens and cost they used."""
