"""Notifications: the loop closed. An outbox that follows the log (outbox.py) turns handoff events into one row
per recipient agency and channel; the deliverer (deliver.py) sends them as signed webhooks and intake emails
(channels.py), retrying with backoff. Nothing here is called inside a write (docs/notifications.md)."""
