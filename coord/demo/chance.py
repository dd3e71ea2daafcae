"""The demo's one source of chance and its calendar: every draw goes through one generator seeded once, so
the same seed and `today` always write the same history."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from faker import Faker


@dataclass
class Chance:
    rng: random.Random
    fake: Faker
    #: The first day of the demo's history, and its last.
    start: date
    today: date

    @classmethod
    def seeded(cls, seed: int, today: date, months: int) -> Chance:
        fake = Faker("en_US")
        fake.seed_instance(seed)
        return cls(random.Random(seed), fake, today - timedelta(days=round(months * 30.44)), today)

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    def expo(self, mean_days: float) -> timedelta:
        return timedelta(days=1 + int(self.rng.expovariate(1 / mean_days)))

    def some_day(self, first: date, last: date | None = None) -> date:
        return first + self.days(0, ((last or self.today) - first).days)
