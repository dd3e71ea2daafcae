"""Sending one notification: a signed webhook POST, or an email to the agency's intake address.

A webhook carries `Coord-Event-Id`, `Coord-Timestamp` and `Coord-Signature: sha256=<hex>`, the HMAC-SHA256 of
"<timestamp>.<body>" under the webhook's secret (docs/notifications.md shows how to check it). Only a 2xx answer
delivers; redirects are not followed. Errors are reported by type or HTTP status only: a message may quote data.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import smtplib
import ssl
import urllib.error
import urllib.request
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from coord.config import Config
from coord.notify.targets import Targets
from events.crypto import CryptoError

USER_AGENT = "coord-notify/1"


class DeliveryError(Exception):
    """This attempt failed; a later one may succeed. `code` is what is recorded (never a message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Undeliverable(DeliveryError):
    """No attempt can succeed: the webhook was removed, or the agency's intake address cleared."""


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None  # a 3xx is an answer like any other non-2xx: not delivered


_OPENER = urllib.request.build_opener(_NoRedirects)


class Channels:
    def __init__(self, targets: Targets, config: Config) -> None:
        self.targets, self.config = targets, config

    def send(self, channel: str, target: str, payload: dict[str, Any], now: datetime) -> None:
        if channel == "webhook":
            self.webhook(target, payload, now)
        else:
            self.email(target, payload)

    def webhook(self, webhook_id: str, payload: dict[str, Any], now: datetime) -> None:
        try:
            found = self.targets.webhook(webhook_id)
        except CryptoError as error:  # wrapped by a master key this process was not given
            raise DeliveryError(type(error).__name__) from None
        if found is None:
            raise Undeliverable("webhook_removed")
        webhook, secret = found
        body, timestamp = body_of(payload), str(int(now.timestamp()))
        request = urllib.request.Request(
            webhook.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "Coord-Event-Id": payload["event_id"],
                "Coord-Timestamp": timestamp,
                "Coord-Signature": sign(secret, timestamp, body),
            },
        )
        try:
            with _OPENER.open(request, timeout=self.config.webhook_timeout_seconds) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            error.close()
            raise DeliveryError(f"http_{error.code}") from None
        except urllib.error.URLError as error:
            reason = error.reason
            raise DeliveryError(type(reason).__name__ if isinstance(reason, BaseException) else "URLError") from None
        except (OSError, http.client.HTTPException) as error:
            raise DeliveryError(type(error).__name__) from None
        if not 200 <= status < 300:
            raise DeliveryError(f"http_{status}")

    def email(self, agency: str, payload: dict[str, Any]) -> None:
        address = self.targets.emails().get(agency)
        if address is None:
            raise Undeliverable("intake_address_removed")
        config = self.config
        if not config.smtp_host:
            raise DeliveryError("smtp_not_configured")
        try:
            with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=config.webhook_timeout_seconds) as smtp:
                if config.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if config.smtp_user:
                    smtp.login(config.smtp_user, config.smtp_password or "")
                smtp.send_message(compose(payload, config.smtp_from, address))
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(type(error).__name__) from None


def compose(payload: dict[str, Any], sender: str, address: str) -> EmailMessage:
    """A plain-text email of the payload; its Message-ID derives from the event id, so a mail system or a
    reader can tell a resent one."""

    def service(described: dict[str, str] | None) -> str:
        return f"{described['name']} ({described['agency']})" if described else "-"

    message = EmailMessage()
    message["Subject"] = f"Handoff {payload['status']}: {service(payload['from_service'])} -> " + service(
        payload["to_service"]
    )
    message["From"] = sender
    message["To"] = address
    message["Message-ID"] = f"<{payload['event_id']}@{sender.rpartition('@')[2] or 'coord'}>"
    message["Coord-Event-Id"] = payload["event_id"]
    lines = [
        f"A handoff is now {payload['status']}.",
        "",
        f"Handoff:      {payload['handoff_id']}",
        f"From:         {service(payload['from_service'])}",
        f"To:           {service(payload['to_service'])}",
        f"Status:       {payload['status']}",
        f"Reason:       {payload['reason'] or '-'}",
        f"Outcome:      {payload['outcome'] or '-'}",
        f"Effective on: {payload['effective_on']}",
        f"Event id:     {payload['event_id']}",
        "",
        f"Open it: {payload['link']}",
    ]
    message.set_content("\n".join(lines) + "\n")
    return message
