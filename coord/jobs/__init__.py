"""The scheduled jobs (docs/design.md "Jobs"): what they do (catalogue.py), when they are due (periods.py), the
record of their runs (runs.py), who may run them (locks.py) and the scheduler that wakes them (scheduler.py)."""
