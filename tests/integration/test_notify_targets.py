"""Where agencies are told: webhooks and intake addresses refuse what cannot work and store nothing then; a
secret is never stored in clear and outlives a master-key rotation; an upgraded store's outbox starts at the
head of its log."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import select

from coord.migrate import _alembic_config
from coord.notify.notifier import Notifier
from coord.notify.outbox import OUTBOX
from coord.notify.targets import Targets
from coord.tables import agency_contacts, webhooks
from events.crypto import MasterKey
from events.errors import NotFoundError, RuleError
from events.keystore import UnknownMasterKeyError
from projections.tables import projection_positions
from tests.notify_scenario import partnership, request


def _count(coord, table) -> int:
    with coord.db.read() as connection:
        return len(connection.execute(select(table)).all())


@pytest.mark.parametrize(
    ("agency", "url", "message"),
    [
        ("gateway", "ftp://gateway.example/hooks", r"^webhook URL 'ftp://gateway.example/hooks' is refused: give an "),
        ("gateway", "https:///no-host", r"^webhook URL 'https:///no-host' is refused: give an http"),
        ("gateway", "gateway.example/hooks", r"^webhook URL 'gateway.example/hooks' is refused: give an http"),
        ("gateway", "https://user:pw@gateway.example/", r"^webhook URL is refused: it may not hold a user name or"),
        ("gateway", "https://gateway.example:http/", r"^webhook URL 'https://gateway.example:http/' is refused: it is"),
        ("gateway", "https://gateway.example/a b", r"^webhook URL 'https://gateway.example/a b' is refused: at most"),
        ("gateway", "https://gateway.example/" + "a" * 2000, r"^webhook URL 'https://gateway.example/a+' is refused"),
        ("nobody", "https://gateway.example/hooks", r"^agency 'nobody' is unknown: no service or token belongs to it$"),
        ("Gateway!", "https://gateway.example/hooks", r"^agency 'Gateway!' is refused: an agency code is 1-64 of"),
    ],
)
def test_a_webhook_that_cannot_work_is_refused_and_nothing_is_stored(coord, agency, url, message):
    partnership(coord.service)
    targets = Notifier(coord).targets
    with pytest.raises(RuleError, match=message):
        targets.add_webhook(agency, url)
    assert _count(coord, webhooks) == 0


@pytest.mark.parametrize("address", ["intake", "intake@gateway", "a b@gateway.example", "a@b.example\nBcc: x@y.z"])
def test_an_intake_address_that_is_not_one_address_is_refused(coord, address):
    partnership(coord.service)
    with pytest.raises(RuleError, match=r"^intake address .* is refused: give one address like intake@agency.org$"):
        Notifier(coord).targets.set_email("gateway", address)
    assert _count(coord, agency_contacts) == 0


def test_removing_what_is_not_there_says_so(coord):
    partnership(coord.service)
    targets = Notifier(coord).targets
    with pytest.raises(NotFoundError, match=r"^no active webhook with id 'feedface'$"):
        targets.remove_webhook("feedface")
    with pytest.raises(NotFoundError, match=r"^agency 'gateway' has no intake address$"):
        targets.clear_email("gateway")


def test_the_secret_is_stored_only_sealed_and_outlives_a_master_key_rotation(coord):
    partnership(coord.service)
    old = coord.config.master_key
    hook, secret = Targets(coord.db, old).add_webhook("gateway", "https://gateway.example/hooks")
    assert secret.startswith("whsec_")
    with coord.db.read() as connection:
        sealed = connection.execute(select(webhooks.c.sealed_secret)).scalar()
    assert secret.encode() not in sealed
    assert secret[len("whsec_") :].encode() not in sealed

    new = MasterKey.generate()
    with pytest.raises(UnknownMasterKeyError, match=r"^the webhook secrets' key is wrapped by a master key this"):
        Targets(coord.db, new).webhook(hook)
    coord.service.keystore.rotate(new)  # `coord keys rotate`
    assert Targets(coord.db, new).webhook(hook)[1] == secret
    with pytest.raises(UnknownMasterKeyError):
        Targets(coord.db, old).webhook(hook)


def test_a_store_upgraded_with_a_log_starts_its_outbox_at_the_head(coord):
    app = coord.service
    outreach, shelter = partnership(app)
    request(app, outreach, shelter)
    head = app.recorder.max_notification_id()
    config = _alembic_config()
    with coord.db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0010")
        command.upgrade(config, "head")
    with coord.db.read() as connection:
        query = select(projection_positions.c.position).where(projection_positions.c.name == OUTBOX)
        assert connection.execute(query).scalar() == head
    notifier = Notifier(coord)
    notifier.targets.add_webhook("gateway", "http://127.0.0.1:9/never-called")
    assert notifier.run_once() == 0
    assert notifier.status()["counts"] == []  # the history before the upgrade is not announced
