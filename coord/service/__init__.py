"""The application service: every command and read, who may do it, and what each reader may see.
Every way in or out of coord (the HTTP API, the dashboard, the CLI, the demo loader) calls it.

The application object is built in layers: read_models.py (the log and the read models that follow it),
reads.py (records and listings as one reader may see them), application.py (the commands). Who may do what
is decided in permissions.py only; which personal data a reader sees, in privacy.py."""
