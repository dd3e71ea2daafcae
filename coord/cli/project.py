"""`coord project`: follow the log into the read models and the audit chain, catch up once, or rebuild."""

from __future__ import annotations

import signal
import sys
from typing import Any

import click

from coord.config import Config
from coord.live import POLL_SECONDS
from coord.startup import wait_for_store
from coord.wiring import Coord, open_coord
from projections.db import libpq_url
from projections.follow import PROJECTED_CHANNEL, Follower, listen
from projections.rebuild import REBUILD_PAGE_SIZE, Rebuild
from projections.runner import CatchUp


@click.command()
@click.option(
    "--rebuild", is_flag=True, help="rebuild every read model aside from the whole log, switch it in, then exit"
)
@click.option("--once", is_flag=True, help="catch up to the head of the log and exit instead of following")
@click.option(
    "--page-size",
    type=click.IntRange(1, 100_000),
    help=f"events per transaction [default: 1000; {REBUILD_PAGE_SIZE} for a rebuild]",
)
def project(rebuild: bool, once: bool, page_size: int | None) -> None:
    """Project the log into the read models and extend the audit chain: follow the log (default), catch up
    once, or rebuild the read models (the audit chain is never rebuilt: it is the evidence).

    A rebuild fills copies of the read models aside while the live ones keep answering and following the
    log, and switches them in when complete. Killed at any moment, it loses nothing: each page of events
    commits with its position, and the next run goes on from there (a rebuild left unfinished is finished
    first; `--rebuild` starts it over). SIGTERM or Ctrl-C stops it after the page it is on, with exit status 0.
    """
    config = Config.from_env()
    if not wait_for_store(config):
        return
    coord = open_coord(config)
    stopping = coord.stopping
    projectors = coord.service.projections.projectors
    catch_up = CatchUp(coord.service, coord.db, projectors, page_size or 1000, PROJECTED_CHANNEL)
    follower = Follower(
        lambda: catch_up.run(stopping=stopping) + coord.service.audit_chain.run(stopping=stopping),
        poll_seconds=POLL_SECONDS["postgres" if config.is_postgres else "sqlite"],
        stopping=stopping,
    )

    def stop(_signum: int, _frame: Any) -> None:
        stopping.set()
        follower.wake()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        aside = Rebuild(catch_up, page_size or REBUILD_PAGE_SIZE)
        if rebuild:
            aside.start()
        if rebuild or aside.pending():
            _rebuild(coord, aside)
        if once and not (rebuild or stopping.is_set()):
            count = catch_up.run(stopping=stopping)
            coord.service.audit_chain.run(stopping=stopping)
            if not stopping.is_set():
                click.echo(f"projected {count} events; the read models are at the head of the log")
        elif not (once or rebuild or stopping.is_set()):
            _follow(coord, follower)
        if stopping.is_set():
            positions = (aside.aside if aside.pending() else catch_up).positions()
            click.echo(f"stopped after position {min(positions.values())}; the next run goes on from there", err=True)
    finally:
        coord.close()


def _rebuild(coord: Coord, aside: Rebuild) -> None:
    """Build the read models aside to the head of the log, with a progress bar, and switch them in."""
    start = min(aside.aside.positions().values())
    head = coord.service.recorder.max_notification_id() or 0
    with click.progressbar(length=head - start, label="rebuilding read models aside", file=sys.stderr) as bar:
        switched = aside.run(on_page=bar.update, stopping=coord.stopping)
    if switched:
        click.echo(f"rebuilt the read models from {head} events and switched them in")


def _follow(coord: Coord, follower: Follower) -> None:
    if coord.config.is_postgres:
        # The event store notifies its own channel on every insert.
        url = libpq_url(coord.config.database_url)
        coord.threads.append(listen(url, coord.service.recorder.channel_name, follower.wake, coord.stopping))
    click.echo("following the log (Ctrl-C to stop)", err=True)
    follower.follow()
