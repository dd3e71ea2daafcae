"""`coord serve`: gunicorn with threaded workers. On SQLite one process serves (it also projects)."""

from __future__ import annotations

import signal
from typing import Any

from gunicorn.app.base import BaseApplication

from coord.config import Config
from coord.serverlock import hold


class _Server(BaseApplication):
    def __init__(self, config: Config, options: dict[str, Any]) -> None:
        self.config, self.options = config, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from coord.live import start_live
        from coord.web import create_app

        app = create_app(self.config)
        coord = app.extensions["coord"]
        start_live(coord)
        _stop_streams_on_exit(coord)
        return app


def _stop_streams_on_exit(coord: Any) -> None:
    """Open event streams never finish by themselves: end them as the worker begins a graceful exit."""
    previous = signal.getsignal(signal.SIGTERM)

    def on_exit(signum: int, frame: Any) -> None:
        coord.stopping.set()
        coord.changes.notify()
        if callable(previous):
            previous(signum, frame)

    signal.signal(signal.SIGTERM, on_exit)


def serve(config: Config, host: str, port: int) -> None:
    from coord.migrate import upgrade
    from projections.db import Database

    db = Database(config.database_url)
    upgrade(db)
    db.dispose()
    options = {
        "bind": f"{host}:{port}",
        # SQLite has one writer: one process with threads. PostgreSQL scales out with COORD_WORKERS.
        "workers": config.workers if config.is_postgres else 1,
        "worker_class": "gthread",
        "threads": config.threads,
        "timeout": 60,
        "graceful_timeout": 10,
        "control_socket_disable": True,
        "accesslog": "-",
        "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(L)ss',
    }
    with hold(config.data_dir, exclusive=False):
        _Server(config, options).run()
