"""Alembic migrations of the service schema (shipped inside the package)."""
