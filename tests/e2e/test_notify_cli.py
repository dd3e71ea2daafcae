"""`coord webhooks` and `coord notify` as an operator runs them: refused input, a notifier killed mid-send and
restarted (every event delivered, a resend carrying the same event id), SIGTERM finishing the delivery in hand,
and email; on SQLite and PostgreSQL, against a local receiver and a local SMTP server."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable
from uuid import UUID

from coord.config import Config
from coord.wiring import open_coord
from tests.e2e.processes import coord_cli, start
from tests.notify_receivers import receiver, smtp_server
from tests.notify_scenario import assert_nothing_personal, partnership, position, request

FAST = {"COORD_WEBHOOK_TIMEOUT_SECONDS": "1", "COORD_WEBHOOK_BACKOFF_SECONDS": "0.2"}


def _handoffs(env: dict[str, str], count: int) -> tuple[list[int], list[UUID]]:
    """`count` handoffs from harbor to gateway, written as the service would; their Requested positions."""
    coord = open_coord(Config.from_env(env))
    try:
        outreach, shelter = partnership(coord.service)
        made = [request(coord.service, outreach, shelter) for _ in range(count)]
        return [position(coord.service, s.handoff, 1) for s in made], [s.person for s in made]
    finally:
        coord.close()


def _until(condition: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _add(env: dict[str, str], agency: str, url: str) -> tuple[str, str]:
    added = coord_cli(env, "webhooks", "add", "--agency", agency, "--url", url)
    return added.stderr.split()[2], added.stdout.strip()


def test_webhooks_add_refuses_a_bad_url_or_an_unknown_agency_in_one_line_and_stores_nothing(cli_env):
    coord_cli(cli_env, "users", "create", "--role", "case_manager", "--agency", "gateway")
    for args, message in [
        (("--agency", "nobody", "--url", "https://gateway.example/hooks"), "agency 'nobody' is unknown"),
        (("--agency", "gateway", "--url", "file:///etc/passwd"), "webhook URL 'file:///etc/passwd' is refused"),
        (("--agency", "gateway", "--url", "https://u:p@gateway.example"), "webhook URL is refused: it may not hold"),
        (("--agency", "../gateway", "--url", "https://gateway.example"), "agency '../gateway' is refused"),
    ]:
        refused = coord_cli(cli_env, "webhooks", "add", *args, check=False)
        assert refused.returncode == 1
        (line,) = refused.stderr.splitlines()
        assert line.startswith(f"Error: {message}")
        assert refused.stdout == ""
    email = coord_cli(cli_env, "webhooks", "email", "--agency", "gateway", "not-an-address", check=False)
    assert (email.returncode, email.stderr.splitlines()) == (
        1,
        ["Error: intake address 'not-an-address' is refused: give one address like intake@agency.org"],
    )
    assert coord_cli(cli_env, "webhooks", "list").stdout == "no webhooks\n\nno intake addresses\n"


def test_a_notifier_killed_mid_send_delivers_every_event_after_a_restart_and_never_more(cli_env):
    env = {**cli_env, **FAST}
    positions, persons = _handoffs(env, 3)
    with receiver(hold=True) as end:
        hook, secret = _add(env, "gateway", end.url)
        listed = coord_cli(env, "webhooks", "list").stdout
        assert hook in listed and end.url in listed and secret not in listed and "whsec_" not in listed
        first = start(env, "notify")
        try:
            assert end.arrived.wait(30)
            first.kill()  # mid-send: the row is claimed, the receiver has the request, nothing is marked
        finally:
            _stopped(first, signal.SIGKILL)
        end.release.set()
        second = start(env, "notify")
        try:
            # The one in hand is sent again once its lease ends (3 x the timeout), with the same event id.
            _until(lambda: len(end.accepted()) == 4)
        finally:
            assert _stopped(second, signal.SIGTERM) == 0
        assert coord_cli(env, "notify", "--once").stdout == "delivered 0 notifications\n"

    first_id, *others = sorted(_ids(positions, hook), key=_position)
    assert [d.headers["Coord-Event-Id"] for d in end.accepted()] == [first_id, *others, first_id]
    assert all(d.signed_with(secret) for d in end.deliveries)
    for delivery in end.deliveries:
        assert_nothing_personal(delivery.body, json.dumps(delivery.headers))
        assert not any(str(person) in delivery.body.decode() for person in persons)
    status = coord_cli(env, "notify", "--status").stdout
    assert status.splitlines()[2].split() == ["webhook", "delivered", "3"]
    assert "the outbox is 0 events behind the log" in status


def test_sigterm_finishes_the_delivery_in_hand_and_exits_0(cli_env):
    env = {**cli_env, **FAST}
    positions, _ = _handoffs(env, 2)
    with receiver(hold=True) as end:
        hook, _ = _add(env, "gateway", end.url)
        notifier = start(env, "notify")
        try:
            assert end.arrived.wait(30)
            notifier.send_signal(signal.SIGTERM)
            time.sleep(0.5)
        finally:
            end.release.set()
            assert _stopped(notifier, signal.SIGTERM) == 0
        assert [d.headers["Coord-Event-Id"] for d in end.accepted()] == [f"{positions[0]}-gateway-webhook-{hook}"]
        assert coord_cli(env, "notify", "--once").stdout == "delivered 1 notifications\n"
    assert [d.headers["Coord-Event-Id"] for d in end.accepted()] == sorted(_ids(positions, hook), key=_position)


def test_email_to_an_intake_address_from_the_environment(cli_env):
    with smtp_server() as mailbox:
        env = {**cli_env, "COORD_SMTP_HOST": "127.0.0.1", "COORD_SMTP_PORT": str(mailbox.port)}
        positions, persons = _handoffs(env, 1)
        coord_cli(env, "webhooks", "email", "--agency", "gateway", "intake@gateway.example")
        assert "gateway   intake@gateway.example" in coord_cli(env, "webhooks", "list").stdout
        assert coord_cli(env, "notify", "--once").stdout == "delivered 1 notifications\n"
        coord_cli(env, "webhooks", "email", "--agency", "gateway", "--clear")
    ((to, message, raw),) = mailbox.messages
    assert (to, message["From"], message["Coord-Event-Id"]) == (
        ["intake@gateway.example"],
        "coord@localhost",
        f"{positions[0]}-gateway-email",
    )
    assert_nothing_personal(raw, person=persons[0])


def _stopped(process: subprocess.Popen[str], how: signal.Signals) -> int:
    """Stop a started `coord` (killed if it does not exit within 20 s); its exit status. Its log must be clean."""
    process.send_signal(how)
    try:
        _, log = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        _, log = process.communicate(timeout=10)
    assert "Traceback" not in log
    return process.returncode


def _ids(positions: list[int], hook: str) -> set[str]:
    return {f"{p}-gateway-webhook-{hook}" for p in positions}


def _position(event_id: str) -> int:
    return int(event_id.split("-", 1)[0])
