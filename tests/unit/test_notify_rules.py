"""The notifications' rules that need no database: the backoff schedule, the signature receivers check, which
URLs and addresses are taken, and the settings read from the environment."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from pathlib import Path

import pytest

from coord.config import Config, ConfigError
from coord.notify.channels import body_of, sign
from coord.notify.deliver import backoff
from coord.notify.payload import RECIPIENTS, TYPES
from coord.notify.targets import check_email, check_url
from events.crypto import MasterKey
from events.errors import RuleError
from events.handoff_vocabulary import HANDOFF_EVENTS


def test_the_backoff_doubles_from_the_base_up_to_an_hour():
    assert [backoff(n, 30.0) for n in range(1, 10)] == [
        timedelta(seconds=s) for s in (30, 60, 120, 240, 480, 960, 1920, 3600, 3600)
    ]


def test_the_signature_is_the_hmac_of_the_timestamp_a_dot_and_the_body_as_the_docs_show():
    body = body_of({"event_id": "7-gateway-email", "type": "handoff.requested"})
    assert body == b'{"event_id":"7-gateway-email","type":"handoff.requested"}'
    expected = hmac.new(b"whsec_test", b"1796292000." + body, hashlib.sha256).hexdigest()
    assert sign("whsec_test", "1796292000", body) == f"sha256={expected}"
    assert sign("whsec_test", "1796292001", body) != sign("whsec_test", "1796292000", body)


def test_every_notified_event_is_a_handoff_event_with_a_type():
    assert set(RECIPIENTS) == set(TYPES)
    assert set(RECIPIENTS) <= set(HANDOFF_EVENTS)
    assert set(HANDOFF_EVENTS) - set(RECIPIENTS) == {"PutOnHold", "Resumed"}


@pytest.mark.parametrize(
    "url", ["https://intake.gateway.example/coord", "http://127.0.0.1:8080/hooks?source=coord", "https://[::1]:9/"]
)
def test_http_and_https_urls_with_a_host_are_taken(url):
    assert check_url(url) == url


@pytest.mark.parametrize("address", ["intake@gateway.example", "referrals+coord@harbor.org.example"])
def test_one_plain_address_is_taken(address):
    assert check_email(address) == address


def test_an_address_with_a_display_name_or_two_addresses_is_refused():
    for address in ("Intake <intake@gateway.example>", "a@gateway.example, b@gateway.example"):
        with pytest.raises(RuleError):
            check_email(address)


def _config(tmp_path: Path, **env: str) -> Config:
    base = {"COORD_DATA_DIR": str(tmp_path), "COORD_MASTER_KEY": MasterKey.generate().to_base64()}
    return Config.from_env({**base, **env})


def test_the_notification_settings_default_and_read_from_the_environment(tmp_path):
    default = _config(tmp_path)
    assert (default.public_url, default.webhook_attempts, default.webhook_backoff_seconds) == (
        "http://127.0.0.1:8000",
        8,
        30.0,
    )
    assert (default.smtp_host, default.smtp_port, default.smtp_from, default.smtp_starttls) == (
        None,
        25,
        "coord@localhost",
        False,
    )
    (tmp_path / "smtp-password").write_text("s3cret\n")
    given = _config(
        tmp_path,
        COORD_PUBLIC_URL="https://coord.example.org/",
        COORD_WEBHOOK_ATTEMPTS="3",
        COORD_SMTP_HOST="smtp.example.org",
        COORD_SMTP_PORT="587",
        COORD_SMTP_USER="coord",
        COORD_SMTP_PASSWORD_FILE=str(tmp_path / "smtp-password"),
        COORD_SMTP_STARTTLS="on",
    )
    assert (given.public_url, given.webhook_attempts, given.smtp_port, given.smtp_password, given.smtp_starttls) == (
        "https://coord.example.org",
        3,
        587,
        "s3cret",
        True,
    )
    assert "s3cret" not in repr(given)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("COORD_PUBLIC_URL", "coord.example.org", r"^COORD_PUBLIC_URL must start with http:// or https://, got "),
        ("COORD_WEBHOOK_ATTEMPTS", "0", r"^COORD_WEBHOOK_ATTEMPTS must be between 1 and 100, got 0$"),
        ("COORD_SMTP_PORT", "smtp", r"^COORD_SMTP_PORT must be a whole number, got 'smtp'$"),
        ("COORD_SMTP_STARTTLS", "maybe", r"^COORD_SMTP_STARTTLS must be on or off, got 'maybe'$"),
        ("COORD_SMTP_PASSWORD_FILE", "/nonexistent/pw", r"^COORD_SMTP_PASSWORD_FILE cannot be read: "),
    ],
)
def test_a_notification_setting_that_cannot_work_is_one_clear_error(tmp_path, name, value, message):
    with pytest.raises(ConfigError, match=message):
        _config(tmp_path, **{name: value})
