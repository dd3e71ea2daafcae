"""Alembic's migrations, shipped inside the package so that an installed coord can migrate (coord/migrate.py)."""
