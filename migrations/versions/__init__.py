"""One module per revision; Alembic reads them by path and skips this file."""
