"""Service functions: typed arguments in, typed results out. The CLI only parses and renders."""
