"""coord's domain and event log: aggregates, event classes, personal-data types and store setup."""
