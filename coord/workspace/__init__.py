"""/workspace: the case managers' pages (the list, find before you add, a person's page, the handoff queues),
server-rendered, working without JavaScript. Another caller of the application service: it decides nothing
about rights or privacy, it only lays out what the service returns and posts what a case manager typed."""

from __future__ import annotations

from coord.workspace import auth, handoffs, person_actions, persons
from coord.workspace.views import bp

__all__ = ["auth", "bp", "handoffs", "person_actions", "persons"]
