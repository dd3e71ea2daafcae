"""Read models: tables projected from the event log, the catch-up runner and report queries."""
