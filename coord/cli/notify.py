"""`coord webhooks add|list|remove|email` (where each agency is told) and `coord notify` (the notifier)."""

from __future__ import annotations

import signal
from typing import Any

import click
from tabulate import tabulate

from coord.config import Config
from coord.live import POLL_SECONDS
from coord.notify.notifier import Notifier
from coord.notify.targets import Targets
from coord.startup import wait_for_store
from coord.wiring import Coord, open_coord
from projections.db import libpq_url
from projections.follow import Follower, listen


def _open() -> tuple[Coord, Targets]:
    coord = open_coord(Config.from_env())
    # The lists know the agencies that run services: bring them up to the head first.
    coord.service.lists.run()
    return coord, Targets(coord.db, coord.config.master_key, coord.config.previous_master_keys)


@click.group()
def webhooks() -> None:
    """Where each agency is told of its handoffs: signed webhooks and an intake email address."""


@webhooks.command("add")
@click.option("--agency", required=True, help="the agency told (one that runs a service or has a token)")
@click.option("--url", required=True, help="an http:// or https:// URL that takes a POST")
def webhooks_add(agency: str, url: str) -> None:
    """Add a webhook. Its signing secret is printed once and cannot be shown again."""
    coord, targets = _open()
    try:
        webhook_id, secret = targets.add_webhook(agency, url)
    finally:
        coord.close()
    click.echo(f"webhook id: {webhook_id} (keep the secret below to check the Coord-Signature header)", err=True)
    click.echo(secret)


@webhooks.command("list")
def webhooks_list() -> None:
    """List the webhooks (never their secrets) and the intake addresses."""
    coord, targets = _open()
    try:
        rows = [
            [hook.id, hook.agency, hook.url, "removed" if hook.revoked_at else "active", f"{hook.created_at:%Y-%m-%d}"]
            for hook in targets.webhooks()
        ]
        emails = sorted(targets.emails().items())
    finally:
        coord.close()
    click.echo(tabulate(rows, headers=["webhook", "agency", "url", "state", "created"]) if rows else "no webhooks")
    click.echo("")
    if emails:
        click.echo(tabulate(emails, headers=["agency", "intake address"]))
    else:
        click.echo("no intake addresses")


@webhooks.command("remove")
@click.argument("webhook_id")
def webhooks_remove(webhook_id: str) -> None:
    """Remove a webhook: it is sent nothing more."""
    coord, targets = _open()
    try:
        targets.remove_webhook(webhook_id)
    finally:
        coord.close()
    click.echo(f"removed webhook {webhook_id}")


@webhooks.command("email")
@click.option("--agency", required=True, help="the agency told")
@click.option("--clear", is_flag=True, help="remove the agency's intake address")
@click.argument("address", required=False)
def webhooks_email(agency: str, clear: bool, address: str | None) -> None:
    """Set (or --clear) the address an agency takes its handoff emails at."""
    if clear == (address is not None):
        raise click.UsageError("give an ADDRESS, or --clear")
    coord, targets = _open()
    try:
        if clear:
            targets.clear_email(agency)
        else:
            targets.set_email(agency, address or "")
    finally:
        coord.close()
    click.echo(f"{agency}: intake address cleared" if clear else f"{agency}: intake address set")


@click.command()
@click.option("--once", is_flag=True, help="deliver what is due now and exit instead of following the log")
@click.option("--status", is_flag=True, help="show what was delivered, what waits and what was given up, and exit")
def notify(once: bool, status: bool) -> None:
    """Tell agencies of their handoffs: follow the log into the outbox and deliver it (webhooks and email).

    SIGTERM or Ctrl-C finishes the delivery in hand and exits 0. A notification is sent at least once, with a
    stable event id; a crash between sending and recording it may send it again (docs/notifications.md).
    """
    config = Config.from_env()
    if not (once or status) and not wait_for_store(config):
        return  # stopped while waiting for the database
    coord = open_coord(config)
    try:
        notifier = Notifier(coord)
        if status:
            _show(notifier.status())
        elif once:
            delivered = notifier.run_once()
            click.echo(f"delivered {delivered} notifications")
        else:
            _follow(coord, notifier)
    finally:
        coord.close()


def _follow(coord: Coord, notifier: Notifier) -> None:
    postgres = coord.config.is_postgres
    follower = Follower(
        notifier.run_once, poll_seconds=POLL_SECONDS["postgres" if postgres else "sqlite"], stopping=coord.stopping
    )

    def stop(_signum: int, _frame: Any) -> None:
        coord.stopping.set()
        follower.wake()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if postgres:
        listen(libpq_url(coord.config.database_url), coord.service.recorder.channel_name, follower.wake, coord.stopping)
    click.echo("notifying from the log (Ctrl-C to stop)", err=True)
    follower.follow()
    click.echo("stopped", err=True)


def _show(status: dict[str, Any]) -> None:
    counts = status["counts"]
    click.echo(tabulate(counts, headers=["channel", "state", "notifications"]) if counts else "no notifications yet")
    click.echo(f"\nthe outbox is {status['behind']} events behind the log")
    if status["failed"]:
        click.echo("\ngiven up (most recent first):")
        rows = [[r["id"], r["agency"], r["channel"], r["attempts"], r["last_error"]] for r in status["failed"]]
        click.echo(tabulate(rows, headers=["notification", "agency", "channel", "attempts", "last error"]))
