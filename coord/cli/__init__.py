"""The `coord` command. Every command has --help; an error is one clear line on stderr and a non-zero exit."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any
from uuid import UUID

import click

from coord.cli.audit import checkpoint, replay, replay_snapshot, verify
from coord.cli.health import health
from coord.cli.hmis import import_hmis
from coord.cli.jobs import jobs, scheduler
from coord.cli.month import month
from coord.cli.notify import notify, webhooks
from coord.cli.project import project
from coord.cli.reports import report
from coord.config import Config, ConfigError, write_key_file
from coord.serverlock import ServerRunningError, hold
from coord.service.principal import ROLES, Principal
from coord.startup import StoreWaitError
from events.crypto import CryptoError, MasterKey
from events.errors import DomainError
from events.store import StoreURLError

STARTER_LABEL = "make-run"
STARTER_AGENCY = "harbor-outreach"
#: Roles of the starter tokens: never admin (an admin token manages everything; an operator makes one on purpose).
STARTER_ROLES = tuple(role for role in ROLES if role != "admin")


class _Group(click.Group):
    """Turns the errors a user can cause or fix into one line and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        from coord.api.errors import UNAVAILABLE

        try:
            return super().invoke(ctx)
        except (ConfigError, StoreURLError, StoreWaitError, CryptoError, DomainError, ServerRunningError) as error:
            raise click.ClickException(str(error)) from None
        except UNAVAILABLE as error:
            raise click.ClickException(
                f"the store cannot be reached ({type(error).__name__}); is it running?"
            ) from None


def _coord():
    from coord.wiring import open_coord

    return open_coord(Config.from_env())


@click.group(cls=_Group)
def main() -> None:
    """coord: by-name-list case coordination on an append-only event log."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line a tick otherwise: coord.jobs says what ran


@main.command()
@click.option("--host", help="address to listen on (default COORD_HOST or 127.0.0.1)")
@click.option("--port", type=int, help="port (default COORD_PORT or 8000)")
def serve(host: str | None, port: int | None) -> None:
    """Serve the API (migrating the store first)."""
    from coord.server import serve as run_server

    config = Config.from_env()
    run_server(config, host or config.host, port or config.port)


@main.group()
def db() -> None:
    """The project's own tables."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate every table coord owns (safe to repeat)."""
    _coord().close()
    click.echo("database is up to date")


@main.group()
def users() -> None:
    """API tokens and their roles."""


@users.command("create")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--agency", help="the agency a case_manager acts for (required for case_manager)")
@click.option("--label", default="", help="who or what the token is for")
def users_create(role: str, agency: str | None, label: str) -> None:
    """Create a token. It is printed once and cannot be shown again."""
    coord = _coord()
    token_id, token = coord.tokens.create(role, agency, label)
    coord.close()
    click.echo(f"token id: {token_id}", err=True)
    click.echo(token)


@users.command("list")
def users_list() -> None:
    """List tokens (never their secrets)."""
    coord = _coord()
    for row in coord.tokens.list():
        state = "revoked" if row["revoked_at"] else "active"
        kind = "starter" if row["starter"] else "-"
        click.echo(f"{row['id']}  {row['role']:<12} {row['agency'] or '-':<20} {state:<8} {kind:<8} {row['label']}")
    coord.close()


@users.command("revoke")
@click.argument("token_id")
def users_revoke(token_id: str) -> None:
    """Revoke a token by its id."""
    coord = _coord()
    found = coord.tokens.revoke(token_id)
    coord.close()
    if not found:
        raise click.ClickException(f"no active token with id {token_id}")
    click.echo(f"revoked {token_id}")


@users.command("starter")
@click.option("--agency", default=STARTER_AGENCY, show_default=True, help="agency of the case-manager token")
def users_starter(agency: str) -> None:
    """Replace the local starter tokens with fresh ones (no admin), and print them."""
    coord = _coord()
    coord.tokens.revoke_starters()
    click.echo("Starter tokens, one per role but admin (shown once; `make run` makes new ones each time):")
    for role in STARTER_ROLES:
        _token_id, token = coord.tokens.create(
            role, agency if role == "case_manager" else None, STARTER_LABEL, starter=True
        )
        click.echo(f"  {role:<13} {token}")
    click.echo("An admin token is made only on purpose: coord users create --role admin --label WHO")
    config = Config.from_env()
    site = f"http://{config.host}:{config.port}"
    click.echo(f"Case managers sign in at {site}/workspace; the backbone's dashboard is at {site}/dashboard")
    coord.close()


@main.command()
@click.argument("person_id", type=click.UUID)
def erase(person_id: UUID) -> None:
    """Erase a person's personal data (deletes their key; history and counts stay)."""
    coord = _coord()
    coord.service.erase_person(Principal.system("cli-erase"), person_id)
    coord.close()
    click.echo(f"erased the personal data of {person_id}")


@main.group()
def keys() -> None:
    """The master key."""


@keys.command("rotate")
@click.option(
    "--new-key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="the new master key (base64); generated into this file (mode 0600) if it does not exist",
)
def keys_rotate(new_key_file: Path | None) -> None:
    """Re-wrap every data key under a new master key. Resumable: run it again to finish."""
    config = Config.from_env()
    uses_default_file = config.master_key_source == str(config.default_key_file)
    if new_key_file is None and not uses_default_file:
        raise click.ClickException(
            "the master key comes from the environment: give --new-key-file PATH to receive the new key"
        )
    with hold(config.data_dir, exclusive=uses_default_file):
        target = new_key_file or config.default_key_file.with_suffix(".key.new")
        if not target.exists():
            write_key_file(target, MasterKey.generate())
        new_master = MasterKey.from_base64(target.read_text())
        coord = _coord()
        total = coord.service.keystore.count_keys() + 1
        with click.progressbar(length=total, label="re-wrapping data keys", file=sys.stderr) as bar:
            count = coord.service.keystore.rotate(new_master, progress=bar.update)
        coord.close()
        if new_key_file is None:
            os.replace(target, config.default_key_file)
    if new_key_file is None:
        click.echo(f"re-wrapped {count} keys; {config.default_key_file} now holds the new master key")
    else:
        click.echo(
            f"re-wrapped {count} keys under the key in {target}; every process must now run with "
            f"COORD_MASTER_KEY_FILE={target} (see docs/keys.md for a rotation without downtime)"
        )


@main.command()
@click.option("--seed", default=7, show_default=True, help="the same seed gives the same partnership")
@click.option("--persons", default=640, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--months", default=18, show_default=True, type=click.IntRange(1, 120))
@click.option("--if-empty", is_flag=True, help="do nothing when the store already has events")
def demo(seed: int, persons: int, months: int, if_empty: bool) -> None:
    """Load a realistic synthetic partnership (homelessness and cradle-to-career)."""
    from coord.demo import generate

    coord = _coord()
    if if_empty and coord.service.recorder.max_notification_id():
        click.echo("the store already has events; no demo loaded")
        coord.close()
        return
    with click.progressbar(length=persons, label="loading demo partnership", file=sys.stderr) as bar:
        summary = generate(coord.service, seed=seed, persons=persons, months=months, progress=bar.update)
    coord.close()
    for name, value in summary.items():
        click.echo(f"{name}: {value}")


for command in (
    project,
    report,
    month,
    verify,
    checkpoint,
    replay,
    replay_snapshot,
    import_hmis,
    health,
    scheduler,
    jobs,
    webhooks,
    notify,
):
    main.add_command(command)
