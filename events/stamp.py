"""What every event carries besides its own data: the day it took effect, who recorded it, for which agency."""

from datetime import date
from typing import TypedDict


class Stamp(TypedDict):
    effective_on: date
    actor: str
    agency: str
