"""The demo partnership: synthetic agencies, services, persons and handoffs, written through the application's
own commands so that every event passes the domain rules. The same seed always writes the same history.

catalogue: what the partnership offers; people and spells: who is on the list and what happens to them;
loader: writing it all through the application service."""

from coord.demo.loader import generate

__all__ = ["generate"]
