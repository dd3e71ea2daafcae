"""Email to an agency's intake address, against a local SMTP server (aiosmtpd): the same events as the webhooks,
nothing personal in the message, retried while SMTP is not configured or down."""

from __future__ import annotations

from sqlalchemy import select

from coord.notify.notifier import Notifier
from coord.tables import notifications
from events.dates import today
from tests.e2e.processes import free_port
from tests.notify_receivers import smtp_server
from tests.notify_scenario import GATEWAY, Clock, assert_nothing_personal, configure, partnership, position, request


def _states(coord) -> list[tuple]:
    with coord.db.read() as connection:
        query = select(notifications.c.id, notifications.c.state, notifications.c.attempts, notifications.c.last_error)
        return [tuple(row) for row in connection.execute(query.order_by(notifications.c.id))]


def test_the_intake_address_gets_the_request_and_the_sender_the_answer_with_nothing_personal(coord):
    app = coord.service
    outreach, shelter = partnership(app)
    with smtp_server() as mailbox:
        configure(coord, smtp_host="127.0.0.1", smtp_port=mailbox.port, smtp_from="coord@partnership.example")
        notifier = Notifier(coord)
        notifier.targets.set_email("gateway", "intake@gateway.example")
        notifier.targets.set_email("harbor", "referrals@harbor.example")
        s = request(app, outreach, shelter)
        app.transition_handoff(GATEWAY, s.handoff, to="rejected", reason="no_capacity", effective_on=today())
        assert notifier.run_once() == 2
        assert notifier.run_once() == 0

    requested_id = f"{position(app, s.handoff, 1)}-gateway-email"
    rejected_id = f"{position(app, s.handoff, 2)}-harbor-email"
    assert [(to, m["From"], m["Subject"], m["Message-ID"], m["Coord-Event-Id"]) for to, m, _ in mailbox.messages] == [
        (
            ["intake@gateway.example"],
            "coord@partnership.example",
            "Handoff requested: Harbor street outreach (harbor) -> Gateway shelter intake (gateway)",
            f"<{requested_id}@partnership.example>",
            requested_id,
        ),
        (
            ["referrals@harbor.example"],
            "coord@partnership.example",
            "Handoff rejected: Harbor street outreach (harbor) -> Gateway shelter intake (gateway)",
            f"<{rejected_id}@partnership.example>",
            rejected_id,
        ),
    ]
    body = mailbox.messages[1][1].get_payload(decode=True).decode()
    assert body.splitlines() == [
        "A handoff is now rejected.",
        "",
        f"Handoff:      {s.handoff}",
        "From:         Harbor street outreach (harbor)",
        "To:           Gateway shelter intake (gateway)",
        "Status:       rejected",
        "Reason:       no_capacity",
        "Outcome:      -",
        f"Effective on: {today().isoformat()}",
        f"Event id:     {rejected_id}",
        "",
        f"Open it: http://127.0.0.1:8000/workspace/handoffs/{s.handoff}",
    ]
    for _to, _message, raw in mailbox.messages:
        assert_nothing_personal(raw, person=s.person)
    assert _states(coord) == sorted([(requested_id, "delivered", 1, None), (rejected_id, "delivered", 1, None)])


def test_email_waits_while_smtp_is_not_configured_or_down_and_goes_once_it_is(coord):
    app = coord.service
    outreach, shelter = partnership(app)
    configure(coord, webhook_backoff_seconds=5.0, webhook_timeout_seconds=2.0)
    clock = Clock()
    notifier = Notifier(coord, clock)
    notifier.targets.set_email("gateway", "intake@gateway.example")
    s = request(app, outreach, shelter)
    row_id = f"{position(app, s.handoff, 1)}-gateway-email"

    assert notifier.run_once() == 0
    assert _states(coord) == [(row_id, "pending", 1, "smtp_not_configured")]
    configure(coord, smtp_host="127.0.0.1", smtp_port=free_port())  # nothing listens there
    clock.advance(5)
    assert Notifier(coord, clock).run_once() == 0
    assert _states(coord) == [(row_id, "pending", 2, "ConnectionRefusedError")]
    with smtp_server() as mailbox:
        configure(coord, smtp_port=mailbox.port)
        clock.advance(10)
        assert Notifier(coord, clock).run_once() == 1
    assert [m["Coord-Event-Id"] for _to, m, _raw in mailbox.messages] == [row_id]
    assert _states(coord) == [(row_id, "delivered", 3, None)]


def test_a_cleared_intake_address_is_sent_nothing_more(coord):
    app = coord.service
    outreach, shelter = partnership(app)
    with smtp_server() as mailbox:
        configure(coord, smtp_host="127.0.0.1", smtp_port=mailbox.port)
        notifier = Notifier(coord)
        notifier.targets.set_email("gateway", "intake@gateway.example")
        s = request(app, outreach, shelter)
        notifier.outbox.run()
        notifier.targets.clear_email("gateway")
        assert notifier.run_once() == 0
    assert mailbox.messages == []
    assert _states(coord) == [(f"{position(app, s.handoff, 1)}-gateway-email", "failed", 1, "intake_address_removed")]
