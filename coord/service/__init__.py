"""The application service: every command and read, who may do it, and what each reader may see.
Every way in or out of coord (the HTTP API, the dashboard, the CLI, the demo loader) calls it."""
