"""Loading the demo: the catalogue's services, then each simulated person's history, written through the
application service's own commands so that every event passes the domain rules; a summary of what was written."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from uuid import UUID

from coord.demo.catalogue import AGENCY_OF, CATALOGUE, HOUSING_STAGES, MILESTONES, PLANS, RETRY_STAGES
from coord.demo.chance import Chance
from coord.demo.people import Census, Profile
from coord.demo.spells import Handoff, Story
from coord.service.application import CoordApplication
from coord.service.outcomes import record_outcome
from coord.service.principal import Principal
from events.dates import today as utc_today


def generate(
    app: CoordApplication,
    *,
    seed: int = 7,
    persons: int = 640,
    months: int = 18,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write the demo partnership into `app`; `progress(1)` after each person. Returns counts to print."""
    loader = _Loader(app, Chance.seeded(seed, today or utc_today(), months))
    head = app.recorder.max_notification_id() or 0
    # Catching the read models up after every save would make a bulk load quadratic; once at the end will do.
    was, app.project_on_write = app.project_on_write, False
    try:
        # Many saves a transaction (coord/service/batching.py).
        with app.batch():
            loader.register_services()
            profiles = loader.census.profiles(persons)
            loader.counts["duplicate_pairs"] = loader.census.duplicate_pairs
            for profile in profiles:
                loader.write_person(profile)
                if progress:
                    progress(1)
        # A retry names its episode, which the application looks up in the read model.
        app.projections.run()
        with app.batch():
            loader.write_retries()
            loader.write_back_dated(profiles)
            loader.write_outcomes(profiles)
    finally:
        app.project_on_write = was
    app.project()
    return loader.summary(head)


class _Loader:
    def __init__(self, app: CoordApplication, chance: Chance) -> None:
        self.app, self.chance, self.rng, self.today = app, chance, chance.rng, chance.today
        self.census, self.story = Census(chance), Story(chance)
        self.services: dict[str, UUID] = {}
        self.retries: list[tuple[Profile, Handoff]] = []
        self.counts: Counter[str] = Counter()

    def who(self, stage: str | None = None) -> Principal:
        return Principal.system("demo", agency=AGENCY_OF[stage] if stage else None)

    def register_services(self) -> None:
        for agency, services in CATALOGUE.items():
            for name, stage, window in services:
                who = Principal.system("demo", agency=agency)
                service = self.app.register_service(
                    who, name=name, stage=stage, handoff_window_days=window, effective_on=self.chance.start
                )
                self.services[stage] = service.id

    def write_person(self, p: Profile) -> None:
        life = self.story.timeline(p)
        self.counts[f"persons.{life.status}"] += 1
        owner = self.who(p.path[0])
        p.id = self.app.identify_person(
            owner, attributes=dict(p.attributes), pii=p.pii, effective_on=p.identified_on
        ).id
        p.last_event_on, consent_id = p.identified_on, ""
        for on, _, kind, args in life.actions:
            stage = next(stage for since, stage in reversed(life.stages) if since <= on)
            if kind == "contact":
                self.app.record_contact(self.who(stage), p.id, effective_on=on, service_id=self.services[stage])
            elif kind == "transition":
                self.app.transition_person(self.who(stage), p.id, effective_on=on, **args)
            elif kind == "change":
                attributes, pii = args.get("attributes", {}), args.get("pii", {})
                p.attributes.update(attributes)
                self.app.change_person(owner, p.id, attributes=attributes, pii=pii, effective_on=on)
            elif kind == "consent":
                consent_id = self.app.record_consent(owner, p.id, effective_on=on, **args)[1]
                self.counts["consents"] += 1
            else:
                self.app.revoke_consent(owner, p.id, consent_id, effective_on=on)
                self.counts["consents.revoked"] += 1
            p.last_event_on = max(p.last_event_on, on)
        for handoff in life.handoffs:
            self.write_handoff(p, handoff)

    def write_handoff(self, p: Profile, h: Handoff) -> None:
        sender, receiver = self.who(h.from_stage or h.to_stage), self.who(h.to_stage)
        handoff = self.app.request_handoff(
            sender,
            person_id=p.id,
            to_service_id=self.services[h.to_stage],
            from_service_id=self.services[h.from_stage] if h.from_stage else None,
            episode_id=h.episode_id,
            requested_on=h.requested_on,
            priority=h.priority,
            note=h.note,
        )
        h.episode_id = handoff.episode_id
        for to, on, reason, outcome in h.steps:
            # The receiving agency answers; the sender withdraws or strikes out; the partnership expires.
            actor = sender if to in ("cancelled", "entered_in_error") else receiver
            if reason == "expired":
                actor = self.who()
            self.app.transition_handoff(actor, handoff.id, to=to, effective_on=on, reason=reason, outcome=outcome)
        status = h.steps[-1][0] if h.steps else "requested"
        self.counts["handoffs"] += 1
        self.counts[f"handoffs.{status}"] += 1
        self.counts["handoffs.overdue"] += status == "requested" and handoff.due_on < self.today
        if h.retry and status == "rejected":
            self.retries.append((p, h))

    def write_retries(self) -> None:
        """Rejected handoffs tried again, elsewhere where another stage fits, in the same episode."""
        for p, rejected in self.retries:
            requested_on = rejected.steps[-1][1] + self.chance.days(1, 14)
            if requested_on > self.today:
                continue
            to_stage = RETRY_STAGES.get(rejected.to_stage, rejected.to_stage)
            if to_stage == rejected.from_stage:
                to_stage = rejected.to_stage
            kind = self.rng.choices(list(PLANS), list(PLANS.values()))[0]
            if kind == "completed" and to_stage in HOUSING_STAGES:
                kind = "open"
            steps = self.story.plan(kind, to_stage, requested_on)
            retry = self.story.handoff(p, rejected.from_stage, to_stage, requested_on, steps)
            retry.episode_id = rejected.episode_id
            self.write_handoff(p, retry)
            self.counts["handoffs.retried"] += 1

    def write_back_dated(self, profiles: list[Profile]) -> None:
        """Late entries: facts dated weeks or months before events already recorded for the person."""
        rng = self.rng
        candidates = [p for p in profiles if p.last_event_on and (p.last_event_on - p.identified_on).days > 45]
        for p in rng.sample(candidates, min(len(candidates), max(6, len(profiles) // 20))):
            on = self.chance.some_day(p.identified_on, p.last_event_on - timedelta(days=14))
            a, who = p.attributes, self.who(p.path[0])
            if (
                not p.c2c
                and a["veteran"] != "yes"
                and self.today.year - a["birth_year"] >= 21
                and self.app.get_person(p.id).status != "active"
                and rng.random() < 0.15
            ):
                # Service records found later, for someone the list no longer holds (those still on it would
                # be taken up by the veterans' pathway at once).
                change = {"veteran": "yes"}
            elif not p.c2c and not a["chronic"] and rng.random() < 0.5:
                change = {"chronic": True}  # disability documented later
            else:
                self.app.record_contact(who, p.id, effective_on=on, service_id=self.services[p.path[0]])
                self.counts["back_dated_events"] += 1
                continue
            a.update(change)
            self.app.change_person(who, p.id, attributes=change, pii={}, effective_on=on)
            self.counts["back_dated_events"] += 1

    def write_outcomes(self, profiles: list[Profile]) -> None:
        """The outcome each stage of a cradle-to-career track assesses, recorded by the stage's agency on a day
        from a year before identification (a school record) to today; now and then assessed again later."""
        # Drawn from a generator of its own, seeded by the demo's: the history written before stays the same.
        rng = random.Random(self.rng.random())
        for p in (p for p in profiles if p.c2c):
            for stage in (stage for stage in p.path if stage in MILESTONES):
                indicator, source, share = MILESTONES[stage]
                on = p.identified_on - timedelta(days=365) + timedelta(days=rng.randint(0, 365 + 540))
                while on <= self.today:
                    met = rng.random() < share
                    record_outcome(
                        self.app, self.who(stage), p.id, indicator=indicator, met=met, source=source, effective_on=on
                    )
                    self.counts["outcomes"] += 1
                    on += timedelta(days=rng.randint(60, 400) if rng.random() < 0.15 else 10_000)

    def summary(self, head: int) -> dict[str, int]:
        kinds: Counter[str] = Counter()
        start = head + 1
        while batch := self.app.recorder.select_notifications(start=start, limit=5000):
            kinds.update(f"events.{n.topic.rsplit(':', 1)[-1]}" for n in batch)
            start = batch[-1].id + 1
        return {
            "agencies": len(CATALOGUE),
            "services": len(self.services),
            "persons": sum(self.counts[f"persons.{s}"] for s in ("active", "housed", "inactive")),
            **{k: self.counts[k] for k in sorted(self.counts)},
            "events": sum(kinds.values()),
            **dict(sorted(kinds.items())),
        }
