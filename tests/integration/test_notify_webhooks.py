"""Webhooks: a request tells the receiving agency, an answer the sending one; signed, retried after a 500 with
backoff, given up after the attempts, never sent twice by a restart; nothing personal in them. SQLite and
PostgreSQL, against a local receiver (tests/notify_receivers.py)."""

from __future__ import annotations

import json

from sqlalchemy import select, update

from coord.notify.notifier import Notifier
from coord.notify.outbox import OUTBOX
from coord.service.principal import Principal
from coord.tables import notifications
from events.dates import today
from projections.tables import projection_positions
from tests.notify_receivers import receiver
from tests.notify_scenario import (
    GATEWAY,
    HANDOFF_NOTE,
    HARBOR,
    Clock,
    assert_nothing_personal,
    configure,
    expected,
    partnership,
    position,
    request,
)


def _rows(coord) -> list[dict]:
    with coord.db.read() as connection:
        return [dict(r._mapping) for r in connection.execute(select(notifications).order_by(notifications.c.id))]


def test_a_request_tells_the_receiving_agency_and_its_answer_the_sending_one_signed(coord):
    app = coord.service
    outreach, shelter = partnership(app)
    notifier = Notifier(coord)
    with receiver() as harbor_end, receiver() as gateway_end:
        harbor_hook, harbor_secret = notifier.targets.add_webhook("harbor", harbor_end.url)
        gateway_hook, gateway_secret = notifier.targets.add_webhook("gateway", gateway_end.url)
        s = request(app, outreach, shelter)
        app.transition_handoff(GATEWAY, s.handoff, to="accepted", effective_on=today())
        app.transition_handoff(GATEWAY, s.handoff, to="on_hold", reason="awaiting_unit", effective_on=today())
        app.transition_handoff(
            GATEWAY, s.handoff, to="completed", outcome="sheltered", outcome_note=HANDOFF_NOTE, effective_on=today()
        )

        assert notifier.run_once() == 3
        assert Notifier(coord).run_once() == 0  # a second notifier, as after a restart, sends nothing again

    requested_id = f"{position(app, s.handoff, 1)}-gateway-webhook-{gateway_hook}"
    accepted_id = f"{position(app, s.handoff, 2)}-harbor-webhook-{harbor_hook}"
    completed_id = f"{position(app, s.handoff, 4)}-harbor-webhook-{harbor_hook}"
    assert [d.payload for d in gateway_end.deliveries] == [expected(app, s, 1, requested_id)]
    assert [d.payload for d in harbor_end.deliveries] == [
        expected(app, s, 2, accepted_id, type="handoff.accepted", status="accepted"),
        expected(app, s, 4, completed_id, type="handoff.completed", status="completed", outcome="sheltered"),
    ]
    assert all(d.signed_with(gateway_secret) and not d.signed_with(harbor_secret) for d in gateway_end.deliveries)
    assert all(d.signed_with(harbor_secret) for d in harbor_end.deliveries)
    for delivery in (*gateway_end.deliveries, *harbor_end.deliveries):
        assert delivery.headers["Coord-Event-Id"] == delivery.payload["event_id"]
        assert delivery.headers["Content-Type"] == "application/json"
        assert_nothing_personal(delivery.body, json.dumps(delivery.headers), person=s.person)
    rows = _rows(coord)
    assert [(r["id"], r["state"], r["attempts"], r["last_error"]) for r in rows] == sorted(
        [(i, "delivered", 1, None) for i in (requested_id, accepted_id, completed_id)]
    )
    assert_nothing_personal(json.dumps([r["payload"] for r in rows]), person=s.person)


def test_a_500_is_retried_with_exponential_backoff_and_the_event_is_delivered_once(coord):
    app = coord.service
    outreach, shelter = partnership(app)
    configure(coord, webhook_backoff_seconds=30.0)
    clock = Clock()
    notifier = Notifier(coord, clock)
    with receiver(fail_first=2) as end:
        hook, secret = notifier.targets.add_webhook("gateway", end.url)
        s = request(app, outreach, shelter)
        event_id = f"{position(app, s.handoff, 1)}-gateway-webhook-{hook}"

        assert notifier.run_once() == 0
        first = _rows(coord)[0]
        assert (first["attempts"], first["state"], first["last_error"]) == (1, "pending", "http_500")
        clock.advance(29)
        assert notifier.run_once() == 0
        assert len(end.deliveries) == 1  # not due before its backoff
        clock.advance(1)
        assert notifier.run_once() == 0  # the second attempt: 500 again, next in 60 s
        clock.advance(59)
        assert notifier.run_once() == 0
        clock.advance(1)
        assert notifier.run_once() == 1
        clock.advance(3600)
        assert notifier.run_once() == 0

    assert [(d.status, d.headers["Coord-Event-Id"]) for d in end.deliveries] == [
        (500, event_id),
        (500, event_id),
        (200, event_id),
    ]
    assert all(d.signed_with(secret) for d in end.deliveries)
    row = _rows(coord)[0]
    assert (row["state"], row["attempts"], row["last_error"]) == ("delivered", 3, None)


def test_a_receiver_that_stays_down_is_given_up_after_the_attempts_and_nothing_else_is_lost(coord):
    app = coord.service
    outreach, shelter = partnership(app)
    configure(coord, webhook_attempts=3, webhook_backoff_seconds=10.0, webhook_timeout_seconds=2.0)
    clock = Clock()
    notifier = Notifier(coord, clock)
    with receiver() as down:
        pass  # its port is closed now
    with receiver() as up:
        dead, _ = notifier.targets.add_webhook("gateway", down.url)
        alive, _ = notifier.targets.add_webhook("gateway", up.url)
        s = request(app, outreach, shelter)
        for wait in (0, 10, 20, 40, 80):
            clock.advance(wait)
            notifier.run_once()
        later = request(app, outreach, shelter)
        notifier.run_once()

    rows = {r["target"]: r for r in _rows(coord) if r["position"] == position(app, s.handoff, 1)}
    assert (rows[dead]["state"], rows[dead]["attempts"], rows[dead]["last_error"]) == (
        "failed",
        3,
        "ConnectionRefusedError",
    )
    assert (rows[alive]["state"], rows[alive]["attempts"]) == ("delivered", 1)
    assert [d.payload["handoff_id"] for d in up.deliveries] == [str(s.handoff), str(later.handoff)]
    status = notifier.status()
    assert status["counts"] == [("webhook", "delivered", 2), ("webhook", "failed", 1), ("webhook", "pending", 1)]
    assert [(f["agency"], f["attempts"], f["last_error"]) for f in status["failed"]] == [
        ("gateway", 3, "ConnectionRefusedError")
    ]
    assert status["behind"] == 0


def test_reading_the_log_again_adds_no_notification_and_sends_none_twice(coord):
    app = coord.service
    outreach, shelter = partnership(app)
    notifier = Notifier(coord)
    with receiver() as end:
        notifier.targets.add_webhook("gateway", end.url)
        request(app, outreach, shelter)
        request(app, outreach, shelter)
        assert notifier.run_once() == 2
        # As if the outbox had crashed before its position moved: the same pages are read again.
        with coord.db.write() as connection:
            connection.execute(
                update(projection_positions).where(projection_positions.c.name == OUTBOX).values(position=0)
            )
        assert Notifier(coord).run_once() == 0
    assert len(_rows(coord)) == 2
    assert len(end.deliveries) == 2
    assert len({d.headers["Coord-Event-Id"] for d in end.deliveries}) == 2


def test_only_agencies_with_a_target_are_told_and_a_removed_webhook_is_sent_nothing_more(coord):
    app = coord.service
    outreach, shelter = partnership(app)
    notifier = Notifier(coord)
    with receiver() as end:
        before = request(app, outreach, shelter)  # told to nobody: gateway has no target yet
        notifier.run_once()
        hook, _ = notifier.targets.add_webhook("gateway", end.url)
        waiting = request(app, outreach, shelter)
        notifier.outbox.run()  # the row is written, not yet sent
        notifier.targets.remove_webhook(hook)
        app.transition_handoff(GATEWAY, waiting.handoff, to="rejected", reason="no_capacity", effective_on=today())
        app.transition_handoff(HARBOR, before.handoff, to="cancelled", reason="client_moved", effective_on=today())
        assert notifier.run_once() == 0
    assert end.deliveries == []
    assert [(r["position"], r["state"], r["attempts"], r["last_error"]) for r in _rows(coord)] == [
        (position(app, waiting.handoff, 1), "failed", 1, "webhook_removed")
    ]


def test_a_handoff_from_no_service_answers_to_the_agency_that_asked(coord):
    app = coord.service
    _, shelter = partnership(app)
    notifier = Notifier(coord)
    with receiver() as harbor_end:
        notifier.targets.add_webhook("harbor", harbor_end.url)
        s = request(app, None, shelter)
        app.transition_handoff(GATEWAY, s.handoff, to="rejected", reason="not_eligible", effective_on=today())
        assert notifier.run_once() == 1
    (delivery,) = harbor_end.deliveries
    assert (delivery.payload["type"], delivery.payload["from_service"], delivery.payload["reason"]) == (
        "handoff.rejected",
        None,
        "not_eligible",
    )


def test_a_withdrawal_or_a_strike_out_tells_both_sides_and_an_expiry_the_sender(coord):
    app = coord.service
    outreach, shelter = partnership(app)
    notifier = Notifier(coord)
    with receiver() as harbor_end, receiver() as gateway_end:
        notifier.targets.add_webhook("harbor", harbor_end.url)
        notifier.targets.add_webhook("gateway", gateway_end.url)
        withdrawn, struck, expired = (request(app, outreach, shelter) for _ in range(3))
        notifier.run_once()
        app.transition_handoff(HARBOR, withdrawn.handoff, to="cancelled", reason="client_moved", effective_on=today())
        app.transition_handoff(HARBOR, struck.handoff, to="entered_in_error", effective_on=today())
        app.transition_handoff(
            Principal.system("handoff-expiry"), expired.handoff, to="cancelled", reason="expired", effective_on=today()
        )
        notifier.run_once()

    def told(end) -> list[tuple]:
        return [(d.payload["handoff_id"], d.payload["type"], d.payload["reason"]) for d in end.deliveries]

    assert told(harbor_end) == [
        (str(withdrawn.handoff), "handoff.cancelled", "client_moved"),
        (str(struck.handoff), "handoff.entered_in_error", None),
        (str(expired.handoff), "handoff.cancelled", "expired"),
    ]
    assert told(gateway_end) == [
        *((str(s.handoff), "handoff.requested", None) for s in (withdrawn, struck, expired)),
        (str(withdrawn.handoff), "handoff.cancelled", "client_moved"),
        (str(struck.handoff), "handoff.entered_in_error", None),
        (str(expired.handoff), "handoff.cancelled", "expired"),
    ]
