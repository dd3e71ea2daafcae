"""coord: by-name-list case coordination for place-based partnerships."""
