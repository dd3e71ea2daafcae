"""What happens to each person on the demo's list: spells on the list ending housed or inactive, the handoffs
along their path with the fate of each, contacts, consents and changes, as dated actions for the loader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any
from uuid import UUID

from coord.demo.catalogue import (
    AGENCY_OF,
    CANCEL_REASONS,
    FAIL_REASONS,
    HOLD_REASONS,
    HOUSING,
    HOUSING_STAGES,
    INACTIVE_REASONS,
    NOTES,
    OUTCOMES,
    PATHWAY_DESTINATIONS,
    PATHWAY_SHARE,
    PLANS,
    REJECT_REASONS,
    RETURNABLE_REASONS,
    WINDOW_OF,
)
from coord.demo.chance import Chance
from coord.demo.people import Profile

#: (date, order written, kind, arguments) of one of a person's own events.
Action = tuple[date, int, str, dict[str, Any]]
#: (start, end, outcome) of a spell on the list; the outcome is ("housed", destination, through the pathway),
#: ("inactive", reason), or None while still active today.
Spell = tuple[date, date, tuple[Any, ...] | None]


@dataclass
class Handoff:
    from_stage: str | None
    to_stage: str
    requested_on: date
    steps: list[tuple[str, date, str | None, str | None]]
    priority: str = "routine"
    note: str | None = None
    episode_id: UUID | None = None
    retry: bool = False


@dataclass
class Life:
    """A person's own events in date order, their handoffs, when they reached each stage, and where they end."""

    actions: list[Action]
    handoffs: list[Handoff]
    stages: list[tuple[date, str]]
    status: str


class Story:
    def __init__(self, chance: Chance) -> None:
        self.chance, self.rng, self.today = chance, chance.rng, chance.today

    def periods(self, p: Profile) -> list[Spell]:
        """Spells on the list, each ending housed or inactive, or still active today; a returner's are set."""
        if p.returner:
            return self.returns(p)
        spells: list[Spell] = []
        start = p.identified_on
        while True:
            end, outcome = self.outflow(p, start)
            spells.append((start, end, outcome))
            if outcome is None or outcome == ("inactive", "deceased"):
                return spells
            start = end + self.chance.expo(1000 if outcome[0] == "housed" else 400)
            if start > self.today:
                return spells

    def returns(self, p: Profile) -> list[Spell]:
        """A returner's spells, all within the last year: inactive and back, housed and back, and housed again in
        the last complete month, which gives every population a placement there to judge functional zero by.
        Each spell is short, so returners add little to the active counts."""
        last_month_end = self.today.replace(day=1) - timedelta(days=1)
        housed_again = self.chance.some_day(last_month_end.replace(day=1), last_month_end)
        span = (housed_again - p.identified_on).days

        def soon() -> timedelta:
            return self.chance.days(span // 20, span // 8)

        inactive_on = p.identified_on + soon()
        back_from_inactive = p.identified_on + self.chance.days(span // 3, span // 2)
        back_from_housing = housed_again - soon()
        return [
            (p.identified_on, inactive_on, ("inactive", self.rng.choice(RETURNABLE_REASONS))),
            (back_from_inactive, back_from_inactive + soon(), ("housed", self.rng.choice(PATHWAY_DESTINATIONS), True)),
            (back_from_housing, housed_again, ("housed", self.rng.choice(PATHWAY_DESTINATIONS), True)),
        ]

    def outflow(self, p: Profile, start: date) -> tuple[date, tuple[Any, ...] | None]:
        rng = self.rng
        if p.stayer:
            return self.today, None
        mean, share = HOUSING[p.group]
        reasons = {r: w for r, w in INACTIVE_REASONS.items() if not (p.c2c and r == "deceased")}
        reason = rng.choices(list(reasons), list(reasons.values()))[0]
        inactive_on = start + self.chance.expo(500 if p.c2c else 240)
        if reason == "no_contact":
            # The inactivity sweep's rule: 90 days after the last contact.
            inactive_on = max(inactive_on, start + timedelta(days=90))
        housed_on = start + self.chance.expo(mean) if rng.random() < share else None
        if housed_on and housed_on <= inactive_on:
            if housed_on > self.today:
                return self.today, None
            via_program = not p.c2c and rng.random() < PATHWAY_SHARE.get(p.group, 0.55)
            if via_program:
                destination = rng.choice(PATHWAY_DESTINATIONS)
            else:
                destination = rng.choices((410, 422, 411, 421), (45, 35, 10, 10))[0]
            return housed_on, ("housed", destination, via_program)
        if inactive_on > self.today:
            return self.today, None
        return inactive_on, ("inactive", reason)

    def chain(
        self, p: Profile, path: list[str], start: date, end: date, forced: bool
    ) -> tuple[list[Handoff], list[tuple[date, str]]]:
        """Handoffs along `path` within one spell, and the dates the person reached each stage."""
        rng, hops = self.rng, list(pairwise(path))
        handoffs, stages = [], [(start, path[0])]
        if forced:
            # Housed through the pathway: every hop picked up, the last one completing on the housing date.
            slot = (end - start).days / len(hops)
            for k, (a, b) in enumerate(hops):
                requested_on = start + timedelta(days=int(slot * (k + 0.4 * rng.random())))
                accepted_on = requested_on + timedelta(days=int(slot * 0.4 * rng.random()))
                done_on = end if k == len(hops) - 1 else accepted_on + timedelta(days=int(slot * 0.2 * rng.random()))
                steps = [
                    ("accepted", accepted_on, None, None),
                    ("in_progress", accepted_on, None, None),
                    ("completed", done_on, None, OUTCOMES.get(b, "enrolled")),
                ]
                handoffs.append(self.handoff(p, a, b, requested_on, steps))
                stages.append((accepted_on, b))
            return handoffs, stages
        at, stop = start, min(end, self.today)
        for a, b in hops:
            requested_on = at + (self.chance.days(20, 150) if p.c2c else self.chance.days(2, 30))
            if requested_on > stop:
                break
            kind = rng.choices(list(PLANS), list(PLANS.values()))[0]
            if kind == "completed" and b in HOUSING_STAGES:
                kind = "open"  # a completed housing handoff is a move-in, which only housed spells have
            handoff = self.handoff(p, a, b, requested_on, self.plan(kind, b, requested_on))
            handoff.retry = kind == "rejected" and rng.random() < 0.7
            handoffs.append(handoff)
            accepted_on = next((on for to, on, *_ in handoff.steps if to == "accepted"), None)
            if accepted_on is None:
                break
            stages.append((accepted_on, b))
            at = accepted_on
        return handoffs, stages

    def handoff(self, p: Profile, a: str | None, b: str, requested_on: date, steps: list[Any]) -> Handoff:
        rng = self.rng
        urgent = p.attributes["household_type"] == "family" or p.attributes["chronic"]
        priority = rng.choices(("routine", "urgent", "asap"), (60, 35, 5) if urgent else (90, 8, 2))[0]
        note = rng.choice(NOTES) if rng.random() < 0.25 else None
        return Handoff(a, b, requested_on, steps, priority, note)

    def plan(self, kind: str, to_stage: str, requested_on: date) -> list[tuple[str, date, str | None, str | None]]:
        """The transitions of one handoff by its fate; those not yet due by today are left out."""
        rng, window = self.rng, WINDOW_OF[to_stage]
        steps: list[tuple[str, date, str | None, str | None]] = []

        def step(to: str, after: timedelta, reason: str | None = None, outcome: str | None = None) -> None:
            steps.append((to, (steps[-1][1] if steps else requested_on) + after, reason, outcome))

        if kind == "entered_in_error":
            step("entered_in_error", self.chance.days(0, 2), "duplicate_referral")
        elif kind == "rejected":
            step("rejected", self.chance.days(1, window), rng.choice(REJECT_REASONS))
        elif kind == "cancelled":
            step("cancelled", self.chance.days(2, 20), rng.choice(CANCEL_REASONS))
        elif kind == "expired":
            step("cancelled", timedelta(days=30), "expired")
        elif kind != "unanswered":
            late = rng.random() < 0.2
            step("accepted", self.chance.days(window + 1, 2 * window + 10) if late else self.chance.days(0, window))
            if kind != "open" or rng.random() < 0.5:
                step("in_progress", self.chance.days(0, 3))
            if kind == "on_hold" or (kind == "completed" and rng.random() < 0.15):
                step("on_hold", self.chance.days(5, 20), rng.choice(HOLD_REASONS))
                if kind == "completed":
                    step("in_progress", self.chance.days(5, 20))
            if kind == "completed":
                step("completed", self.chance.days(7, 60), outcome=OUTCOMES.get(to_stage, "enrolled"))
            elif kind == "failed":
                step("failed", self.chance.days(10, 40), rng.choice(FAIL_REASONS))
        return [s for s in steps if s[1] <= self.today]

    def changes(self, p: Profile, add: Callable[..., None]) -> None:
        """Attribute and personal-data changes and consents, each at most once per person."""
        rng, a = self.rng, p.attributes
        if a["veteran"] == "unknown" and p.identified_on + timedelta(days=60) <= self.today:
            add(p.identified_on + self.chance.days(7, 60), "change", attributes={"veteran": p.veteran_later})
        if not (p.stayer or p.returner or p.c2c):  # they keep their populations to the end
            birthday = date.fromisoformat(p.pii["dob"])
            birthday = birthday.replace(year=birthday.year + 25)
            if a["household_type"] == "youth" and p.identified_on < birthday <= self.today:
                add(birthday, "change", attributes={"household_type": "single_adult"})
            elif a["household_type"] in ("single_adult", "family") and rng.random() < 0.05:
                other = "family" if a["household_type"] == "single_adult" else "single_adult"
                add(self.chance.some_day(p.identified_on), "change", attributes={"household_type": other})
        if not a["chronic"] and not p.c2c and rng.random() < 0.1:
            add(self.chance.some_day(p.identified_on), "change", attributes={"chronic": True})
        if rng.random() < 0.06:
            add(self.chance.some_day(p.identified_on), "change", pii={"phone": self.chance.fake.phone_number()})
        consent_on = p.identified_on + self.chance.days(0, 14)
        if rng.random() < 0.45 and consent_on <= self.today:
            others = sorted({AGENCY_OF[stage] for stage in p.path} - {AGENCY_OF[p.path[0]]})
            agencies = others if others and rng.random() < 0.65 else None
            expires_on = consent_on + timedelta(days=rng.choice((180, 365))) if rng.random() < 0.4 else None
            add(consent_on, "consent", agencies=agencies, expires_on=expires_on)
            revoked_on = consent_on + self.chance.days(10, 200)
            if rng.random() < 0.1 and revoked_on <= self.today:
                add(revoked_on, "revoke")

    def timeline(self, p: Profile) -> Life:
        actions: list[Action] = []

        def add(on: date, kind: str, **args: Any) -> None:
            actions.append((on, len(actions), kind, args))

        handoffs: list[Handoff] = []
        stages: list[tuple[date, str]] = []
        previous: tuple[Any, ...] | None = None
        for number, (start, end, outcome) in enumerate(self.periods(p)):
            if number:
                add(start, "transition", to="active")
            if p.c2c and number:
                stages.append((start, p.path[0]))  # a return does not restart a school or work pathway
            else:
                # After housing the way back leads through coordinated entry; otherwise the pathway restarts.
                path = ["coordinated_entry", p.path[-1]] if previous and previous[0] == "housed" else p.path
                forced = outcome is not None and outcome[0] == "housed" and outcome[2]
                spell_handoffs, spell_stages = self.chain(p, path, start, end, forced)
                handoffs += spell_handoffs
                stages += spell_stages
            self.contacts(p, start, end, outcome, add)
            if outcome and outcome[0] == "housed":
                add(end, "transition", to="housed", destination=outcome[1])
            elif outcome:
                add(end, "transition", to="inactive", reason=outcome[1])
            previous = outcome
        self.changes(p, add)
        return Life(
            sorted(actions, key=lambda action: action[:2]),
            handoffs,
            sorted(stages, key=lambda s: s[0]),
            previous[0] if previous else "active",
        )

    def contacts(
        self, p: Profile, start: date, end: date, outcome: tuple[Any, ...] | None, add: Callable[..., None]
    ) -> None:
        """Contacts every few weeks while active (none for the last 90 days before a no-contact
        inactivation), and now and then a follow-up after housing."""
        last = end - timedelta(days=90) if outcome == ("inactive", "no_contact") else end
        on = start + self.chance.days(3, 35)
        while on <= last and on <= self.today:
            add(on, "contact")
            on += self.chance.days(14, 60) if p.c2c else self.chance.days(5, 35)
        follow_up = end + self.chance.days(30, 90)
        if outcome and outcome[0] == "housed" and self.rng.random() < 0.3 and follow_up <= self.today:
            add(follow_up, "contact")
