"""The HTTP API under /api/v1: flask-smorest blueprints, one per resource."""
