"""The offline question bank: packs shipped as TOML data, user packs, roles, and selection."""
