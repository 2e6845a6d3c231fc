"""Layer 1: governance. Imports nothing from the lab, the integrations, the service or the CLI."""
