"""The demo partnership: synthetic agencies, services, persons and handoffs, written through the application's
own commands so that every event passes the domain rules. The same seed always writes the same history."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any
from uuid import UUID

from faker import Faker

from coord.service.application import CoordApplication
from coord.service.principal import Principal
from events.dates import today as utc_today

#: agency -> its services: (name, stage, handoff window in days).
CATALOGUE: dict[str, tuple[tuple[str, str, int], ...]] = {
    "harbor-outreach": (("Harbor Street Outreach", "outreach", 7), ("Harbor Eviction Prevention", "prevention", 14)),
    "gateway-shelter": (
        ("Gateway Emergency Shelter", "emergency_shelter", 10),
        ("Gateway Safe Haven", "safe_haven", 14),
        ("Gateway Youth Transitional Housing", "transitional_housing", 21),
    ),
    "city-ce": (("City Coordinated Entry", "coordinated_entry", 14),),
    "bridge-housing": (
        ("Bridge Rapid Rehousing", "rapid_rehousing", 21),
        ("Bridge Supportive Housing", "permanent_supportive_housing", 30),
        ("Bridge Affordable Homes", "other_permanent_housing", 30),
    ),
    "northside-schools": (
        ("Northside Early Learning Center", "early_childhood", 21),
        ("Northside Kindergarten", "kindergarten", 14),
        ("Northside Elementary", "elementary", 14),
        ("Northside Middle School", "middle_school", 14),
        ("Northside High School", "high_school", 14),
    ),
    "futures-college": (
        ("Futures College Advising", "postsecondary_advising", 21),
        ("Futures Community College", "postsecondary", 30),
    ),
    "metro-workforce": (
        ("Metro Workforce Training", "workforce_training", 21),
        ("Metro Job Placement", "employment", 30),
    ),
}
HOUSING_STAGES = ("rapid_rehousing", "permanent_supportive_housing", "other_permanent_housing")
#: Cradle-to-career tracks: (stages in order, household types, youngest and oldest age at identification).
TRACKS = (
    (("early_childhood", "kindergarten"), ("family",), 3, 4),
    (("elementary", "middle_school", "high_school"), ("family",), 10, 13),
    (
        ("high_school", "postsecondary_advising", "postsecondary", "workforce_training", "employment"),
        ("family", "youth"),
        16,
        18,
    ),
    (("postsecondary_advising", "postsecondary", "workforce_training", "employment"), ("youth",), 19, 24),
)
#: A rejected handoff is retried in the same episode, here where another stage fits, else at the same service.
RETRY_STAGES = {
    "permanent_supportive_housing": "rapid_rehousing",
    "rapid_rehousing": "other_permanent_housing",
    "emergency_shelter": "safe_haven",
    "transitional_housing": "rapid_rehousing",
    "postsecondary": "workforce_training",
}
#: Mean days from identification (or return) to housing, and the share ever housed, per group.
HOUSING = {
    "veteran": (7, 0.98),
    "chronic": (210, 0.45),
    "family": (75, 0.75),
    "youth": (100, 0.6),
    "single_adult": (120, 0.55),
    "c2c": (365, 0.1),
}
#: The share of housing placements made through the pathway, per group; the rest find housing on their own.
PATHWAY_SHARE = {"veteran": 0.85, "chronic": 0.8, "family": 0.7}
INACTIVE_REASONS = {"no_contact": 45, "institution": 15, "left_area": 20, "not_literally_homeless": 12, "deceased": 4}
PLANS = {
    "completed": 38,
    "open": 10,
    "on_hold": 5,
    "rejected": 12,
    "cancelled": 7,
    "expired": 7,
    "failed": 7,
    "unanswered": 8,
    "entered_in_error": 3,
}
REJECT_REASONS = ("no capacity", "does not meet eligibility criteria", "outside service area", "waitlist closed")
CANCEL_REASONS = ("client declined", "client moved out of the area", "need met by another provider")
FAIL_REASONS = ("lost contact with client", "client disengaged", "client did not attend intake")
HOLD_REASONS = ("awaiting documents", "client hospitalized", "awaiting unit inspection")
OUTCOMES = {
    "emergency_shelter": "entered shelter",
    "safe_haven": "entered safe haven",
    "transitional_housing": "moved into transitional housing",
    "coordinated_entry": "assessed and added to the priority list",
    "rapid_rehousing": "moved into a rapid rehousing unit",
    "permanent_supportive_housing": "moved into supportive housing",
    "other_permanent_housing": "moved into an affordable unit",
    "employment": "hired",
}
NOTES = (
    "Prefers contact at the library on weekday mornings.",
    "Has a service animal.",
    "Spanish-speaking; bring an interpreter.",
    "Needs a ground-floor unit.",
    "Works night shifts.",
    "Usually stays near the river trail.",
    "Has a pending disability claim.",
    "Call the aunt if unreachable.",
)
RACES = {
    "white": 30,
    "black_af_american": 30,
    "hispanic_latina_o": 18,
    "am_ind_ak_native": 5,
    "asian": 4,
    "native_hi_pacific": 3,
    "mid_east_n_african": 2,
    "unknown": 5,
    "refused": 3,
}
POPULATION_TESTS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "veterans": lambda a: a["veteran"] == "yes",
    "chronic": lambda a: a["chronic"],
    "youth": lambda a: a["household_type"] == "youth",
    "families": lambda a: a["household_type"] == "family",
    "single_adults": lambda a: a["household_type"] == "single_adult",
}


#: (date, order written, kind, arguments) of one of a person's own events.
_Action = tuple[date, int, str, dict[str, Any]]


@dataclass
class _Profile:
    attributes: dict[str, Any]
    pii: dict[str, str]
    path: list[str]
    identified_on: date
    c2c: bool = False
    #: Stays active to the end, so that every population keeps someone on the list.
    stayer: bool = False
    id: UUID | None = None
    last_event_on: date | None = None
    #: What a veteran status of "unknown" turns out to be, weeks after identification.
    veteran_later: str | None = None

    @property
    def group(self) -> str:
        a = self.attributes
        if self.c2c:
            return "c2c"
        if "yes" in (a["veteran"], self.veteran_later):
            return "veteran"  # the veterans' pathway takes them as soon as their service is known
        return "chronic" if a["chronic"] else a["household_type"]


@dataclass
class _Handoff:
    from_stage: str | None
    to_stage: str
    requested_on: date
    steps: list[tuple[str, date, str | None, str | None]]
    priority: str = "routine"
    note: str | None = None
    episode_id: UUID | None = None
    retry: bool = False


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
    demo = _Demo(app, random.Random(seed), seed, today or utc_today(), months)
    head = app.recorder.max_notification_id() or 0
    # Catching the read models up after every save would make a bulk load quadratic; once at the end will do.
    was, app.project_on_write = app.project_on_write, False
    try:
        demo.register_services()
        profiles = demo.profiles(persons)
        for profile in profiles:
            demo.write_person(profile)
            if progress:
                progress(1)
        # A retry names its episode, which the application looks up in the read model.
        app.projections.run()
        demo.write_retries()
        demo.write_back_dated(profiles)
    finally:
        app.project_on_write = was
    app.project()
    return demo.summary(head)


class _Demo:
    def __init__(self, app: CoordApplication, rng: random.Random, seed: int, today: date, months: int) -> None:
        self.app, self.rng, self.today = app, rng, today
        self.start = today - timedelta(days=round(months * 30.44))
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)
        self.services: dict[str, UUID] = {}
        self.agency_of: dict[str, str] = {}
        self.retries: list[tuple[_Profile, _Handoff]] = []
        self.counts: Counter[str] = Counter()

    def who(self, stage: str | None = None) -> Principal:
        return Principal.system("demo", agency=self.agency_of[stage] if stage else None)

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    def register_services(self) -> None:
        for agency, services in CATALOGUE.items():
            for name, stage, window in services:
                who = Principal.system("demo", agency=agency)
                service = self.app.register_service(
                    who, name=name, stage=stage, handoff_window_days=window, effective_on=self.start
                )
                self.services[stage], self.agency_of[stage] = service.id, agency

    # -- who is on the list ---------------------------------------------------------------------

    def profiles(self, count: int) -> list[_Profile]:
        profiles = [self.profile() for _ in range(count)]
        homeless = [p for p in profiles if not p.c2c]
        for name, test in POPULATION_TESTS.items():
            # One veteran stays on the list: with the pathway's speed, veterans can reach functional zero.
            keep = 1 if name == "veterans" else max(1, count // 200)
            for p in [p for p in homeless if test(p.attributes) and not p.stayer][:keep]:
                p.stayer, p.identified_on = True, max(self.start, self.today - self.days(5, 75))
        adults = [p for p in homeless if p.attributes["household_type"] == "single_adult" and not p.stayer]
        pairs = self.rng.sample(adults, 2 * min(len(adults) // 2, max(1, count // 32)))
        for original, copy in zip(pairs[::2], pairs[1::2], strict=True):
            self.duplicate(original, copy)
        self.counts["duplicate_pairs"] = len(pairs) // 2
        return sorted(profiles, key=lambda p: p.identified_on)

    def profile(self) -> _Profile:
        rng = self.rng
        c2c = rng.random() < 0.2
        if c2c:
            path, households, youngest, oldest = rng.choice(TRACKS)
            household, age, veteran, chronic = rng.choice(households), rng.randint(youngest, oldest), "no", False
        else:
            household = rng.choices(("single_adult", "family", "youth"), (55, 25, 20))[0]
            age = {"single_adult": rng.randint(25, 72), "family": rng.randint(19, 50), "youth": rng.randint(16, 24)}[
                household
            ]
            veteran_share = {"single_adult": 0.2, "family": 0.08, "youth": 0.0}[household]
            veteran = "yes" if age >= 22 and rng.random() < veteran_share else rng.choices(("no", "unknown"), (9, 1))[0]
            chronic = rng.random() < {"single_adult": 0.4, "family": 0.15, "youth": 0.08}[household]
            path = self.homeless_path(household, chronic)
        sex = rng.choices(("female", "male", "unknown", "refused"), (47, 50, 2, 1))[0]
        races = rng.choices(list(RACES), list(RACES.values()))[:1]
        if races[0] not in ("unknown", "refused") and rng.random() < 0.12:
            races = sorted({races[0], rng.choice(("white", "black_af_american", "am_ind_ak_native", "asian"))})
        birth_year = self.today.year - age
        attributes = {
            "birth_year": birth_year,
            "race_ethnicity": races,
            "sex": sex,
            "gender": self.gender(sex),
            "veteran": veteran,
            "chronic": chronic,
            "household_type": household,
        }
        identified_on = self.start + self.days(0, (self.today - self.start).days)
        profile = _Profile(attributes, self.pii(sex, birth_year), list(path), identified_on, c2c=c2c)
        if veteran == "unknown":
            profile.veteran_later = rng.choices(("yes", "no"), (1, 4))[0]
        return profile

    def homeless_path(self, household: str, chronic: bool) -> list[str]:
        rng = self.rng
        housing = (
            "permanent_supportive_housing"
            if chronic
            else ("other_permanent_housing" if rng.random() < 0.1 else "rapid_rehousing")
        )
        if household == "youth":
            return ["emergency_shelter", "transitional_housing", "coordinated_entry", housing]
        entry = rng.choices(("outreach", "emergency_shelter", "coordinated_entry", "prevention"), (35, 35, 20, 10))[0]
        return {
            "outreach": ["outreach", "safe_haven" if chronic and rng.random() < 0.3 else "emergency_shelter"],
            "emergency_shelter": ["emergency_shelter"],
            "coordinated_entry": [],
            "prevention": ["prevention"],
        }[entry] + ["coordinated_entry", housing]

    def gender(self, sex: str) -> list[str] | None:
        roll = self.rng.random()
        if roll < 0.15 or sex in ("unknown", "refused"):
            return None
        if roll < 0.18:
            return ["non_binary"]
        if roll < 0.2:
            return ["transgender", "woman" if sex == "male" else "man"]
        return ["woman" if sex == "female" else "man"]

    def pii(self, sex: str, birth_year: int) -> dict[str, str]:
        fake, rng = self.fake, self.rng
        first = fake.first_name_female() if sex == "female" else fake.first_name_male()
        last = fake.last_name()
        dob = date(birth_year, rng.randint(1, 12), rng.randint(1, 28))
        pii = {"first_name": first, "last_name": last, "dob": dob.isoformat()}
        if rng.random() < 0.7:
            pii["ssn_last4"] = f"{rng.randrange(10000):04d}"
        if rng.random() < 0.6:
            pii["phone"] = fake.phone_number()
        if rng.random() < 0.4:
            pii["email"] = f"{first}.{last}{rng.randrange(100)}@{fake.free_email_domain()}".lower()
        if rng.random() < 0.3:
            pii["notes"] = rng.choice(NOTES)
        return pii

    def duplicate(self, original: _Profile, copy: _Profile) -> None:
        """The same person identified again at another agency: same name and date of birth."""
        for name in ("first_name", "last_name", "dob"):
            copy.pii[name] = original.pii[name]
        copy.attributes["birth_year"] = original.attributes["birth_year"]
        if self.agency_of[copy.path[0]] == self.agency_of[original.path[0]]:
            entry = ["emergency_shelter"] if original.path[0] == "coordinated_entry" else []
            copy.path = [*entry, "coordinated_entry", copy.path[-1]]

    # -- what happens to each person --------------------------------------------------------------

    def expo(self, mean_days: float) -> timedelta:
        return timedelta(days=1 + int(self.rng.expovariate(1 / mean_days)))

    def some_day(self, first: date, last: date | None = None) -> date:
        return first + self.days(0, ((last or self.today) - first).days)

    def periods(self, p: _Profile) -> list[tuple[date, date, tuple[Any, ...] | None]]:
        """Spells on the list, (start, end, outcome), each ending housed or inactive, or still active today."""
        spells: list[tuple[date, date, tuple[Any, ...] | None]] = []
        start = p.identified_on
        while True:
            end, outcome = self.outflow(p, start)
            spells.append((start, end, outcome))
            if outcome is None or outcome == ("inactive", "deceased"):
                return spells
            start = end + self.expo(1000 if outcome[0] == "housed" else 400)
            if start > self.today:
                return spells

    def outflow(self, p: _Profile, start: date) -> tuple[date, tuple[Any, ...] | None]:
        rng = self.rng
        if p.stayer:
            return self.today, None
        mean, share = HOUSING[p.group]
        reasons = {r: w for r, w in INACTIVE_REASONS.items() if not (p.c2c and r == "deceased")}
        reason = rng.choices(list(reasons), list(reasons.values()))[0]
        inactive_on = start + self.expo(500 if p.c2c else 240)
        if reason == "no_contact":
            # The inactivity sweep's rule: 90 days after the last contact.
            inactive_on = max(inactive_on, start + timedelta(days=90))
        housed_on = start + self.expo(mean) if rng.random() < share else None
        if housed_on and housed_on <= inactive_on:
            if housed_on > self.today:
                return self.today, None
            via_program = not p.c2c and rng.random() < PATHWAY_SHARE.get(p.group, 0.55)
            if via_program:
                destination = rng.choice((435, 436))
            else:
                destination = rng.choices((410, 422, 411, 421), (45, 35, 10, 10))[0]
            return housed_on, ("housed", destination, via_program)
        if inactive_on > self.today:
            return self.today, None
        return inactive_on, ("inactive", reason)

    def chain(
        self, p: _Profile, path: list[str], start: date, end: date, forced: bool
    ) -> tuple[list[_Handoff], list[tuple[date, str]]]:
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
            requested_on = at + (self.days(20, 150) if p.c2c else self.days(2, 30))
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

    def handoff(self, p: _Profile, a: str | None, b: str, requested_on: date, steps: list[Any]) -> _Handoff:
        rng = self.rng
        urgent = p.attributes["household_type"] == "family" or p.attributes["chronic"]
        priority = rng.choices(("routine", "urgent", "asap"), (60, 35, 5) if urgent else (90, 8, 2))[0]
        note = rng.choice(NOTES) if rng.random() < 0.25 else None
        return _Handoff(a, b, requested_on, steps, priority, note)

    def plan(self, kind: str, to_stage: str, requested_on: date) -> list[tuple[str, date, str | None, str | None]]:
        """The transitions of one handoff by its fate; those not yet due by today are left out."""
        rng, window = self.rng, next(w for s in CATALOGUE.values() for _, stage, w in s if stage == to_stage)
        steps: list[tuple[str, date, str | None, str | None]] = []

        def step(to: str, after: timedelta, reason: str | None = None, outcome: str | None = None) -> None:
            steps.append((to, (steps[-1][1] if steps else requested_on) + after, reason, outcome))

        if kind == "entered_in_error":
            step("entered_in_error", self.days(0, 2), "duplicate request")
        elif kind == "rejected":
            step("rejected", self.days(1, window), rng.choice(REJECT_REASONS))
        elif kind == "cancelled":
            step("cancelled", self.days(2, 20), rng.choice(CANCEL_REASONS))
        elif kind == "expired":
            step("cancelled", timedelta(days=30), "expired")
        elif kind != "unanswered":
            late = rng.random() < 0.2
            step("accepted", self.days(window + 1, 2 * window + 10) if late else self.days(0, window))
            if kind != "open" or rng.random() < 0.5:
                step("in_progress", self.days(0, 3))
            if kind == "on_hold" or (kind == "completed" and rng.random() < 0.15):
                step("on_hold", self.days(5, 20), rng.choice(HOLD_REASONS))
                if kind == "completed":
                    step("in_progress", self.days(5, 20))
            if kind == "completed":
                step("completed", self.days(7, 60), outcome=OUTCOMES.get(to_stage, "enrolled"))
            elif kind == "failed":
                step("failed", self.days(10, 40), rng.choice(FAIL_REASONS))
        return [s for s in steps if s[1] <= self.today]

    def changes(self, p: _Profile, add: Callable[..., None]) -> None:
        """Attribute and personal-data changes and consents, each at most once per person."""
        rng, a = self.rng, p.attributes
        if a["veteran"] == "unknown" and p.identified_on + timedelta(days=60) <= self.today:
            add(p.identified_on + self.days(7, 60), "change", attributes={"veteran": p.veteran_later})
        if not p.stayer and not p.c2c:
            birthday = date.fromisoformat(p.pii["dob"])
            birthday = birthday.replace(year=birthday.year + 25)
            if a["household_type"] == "youth" and p.identified_on < birthday <= self.today:
                add(birthday, "change", attributes={"household_type": "single_adult"})
            elif a["household_type"] in ("single_adult", "family") and rng.random() < 0.05:
                other = "family" if a["household_type"] == "single_adult" else "single_adult"
                add(self.some_day(p.identified_on), "change", attributes={"household_type": other})
        if not a["chronic"] and not p.c2c and rng.random() < 0.1:
            add(self.some_day(p.identified_on), "change", attributes={"chronic": True})
        if rng.random() < 0.06:
            add(self.some_day(p.identified_on), "change", pii={"phone": self.fake.phone_number()})
        consent_on = p.identified_on + self.days(0, 14)
        if rng.random() < 0.45 and consent_on <= self.today:
            others = sorted({self.agency_of[stage] for stage in p.path} - {self.agency_of[p.path[0]]})
            agencies = others if others and rng.random() < 0.65 else None
            expires_on = consent_on + timedelta(days=rng.choice((180, 365))) if rng.random() < 0.4 else None
            add(consent_on, "consent", agencies=agencies, expires_on=expires_on)
            revoked_on = consent_on + self.days(10, 200)
            if rng.random() < 0.1 and revoked_on <= self.today:
                add(revoked_on, "revoke")

    def timeline(self, p: _Profile) -> tuple[list[_Action], list[_Handoff], list[tuple[date, str]]]:
        """The person's own events in date order, their handoffs, and when they reached each stage."""
        actions: list[_Action] = []

        def add(on: date, kind: str, **args: Any) -> None:
            actions.append((on, len(actions), kind, args))

        handoffs: list[_Handoff] = []
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
        self.counts[f"persons.{previous[0] if previous else 'active'}"] += 1
        return sorted(actions, key=lambda action: action[:2]), handoffs, sorted(stages, key=lambda s: s[0])

    def contacts(
        self, p: _Profile, start: date, end: date, outcome: tuple[Any, ...] | None, add: Callable[..., None]
    ) -> None:
        """Contacts every few weeks while active (none for the last 90 days before a no-contact
        inactivation), and now and then a follow-up after housing."""
        last = end - timedelta(days=90) if outcome == ("inactive", "no_contact") else end
        on = start + self.days(3, 35)
        while on <= last and on <= self.today:
            add(on, "contact")
            on += self.days(14, 60) if p.c2c else self.days(5, 35)
        follow_up = end + self.days(30, 90)
        if outcome and outcome[0] == "housed" and self.rng.random() < 0.3 and follow_up <= self.today:
            add(follow_up, "contact")

    # -- writing ------------------------------------------------------------------------------------

    def write_person(self, p: _Profile) -> None:
        actions, handoffs, stages = self.timeline(p)
        owner = self.who(p.path[0])
        p.id = self.app.identify_person(
            owner, attributes=dict(p.attributes), pii=p.pii, effective_on=p.identified_on
        ).id
        p.last_event_on, consent_id = p.identified_on, ""
        for on, _, kind, args in actions:
            stage = next(stage for since, stage in reversed(stages) if since <= on)
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
        for handoff in handoffs:
            self.write_handoff(p, handoff)

    def write_handoff(self, p: _Profile, h: _Handoff) -> None:
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
            # The receiving agency answers; the sender withdraws or strikes out; the expiry job expires.
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
            requested_on = rejected.steps[-1][1] + self.days(1, 14)
            if requested_on > self.today:
                continue
            to_stage = RETRY_STAGES.get(rejected.to_stage, rejected.to_stage)
            if to_stage == rejected.from_stage:
                to_stage = rejected.to_stage
            kind = self.rng.choices(list(PLANS), list(PLANS.values()))[0]
            if kind == "completed" and to_stage in HOUSING_STAGES:
                kind = "open"
            steps = self.plan(kind, to_stage, requested_on)
            retry = self.handoff(p, rejected.from_stage, to_stage, requested_on, steps)
            retry.episode_id = rejected.episode_id
            self.write_handoff(p, retry)
            self.counts["handoffs.retried"] += 1

    def write_back_dated(self, profiles: list[_Profile]) -> None:
        """Late entries: facts dated weeks or months before events already recorded for the person."""
        rng = self.rng
        candidates = [p for p in profiles if p.last_event_on and (p.last_event_on - p.identified_on).days > 45]
        for p in rng.sample(candidates, min(len(candidates), max(6, len(profiles) // 20))):
            on = self.some_day(p.identified_on, p.last_event_on - timedelta(days=14))
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
            # An attribute's changes are dated in the order they are recorded.
            since = self.app.get_person(p.id).attributes_changed_on.get(next(iter(change)))
            on = max(on, since) if since else on
            self.app.change_person(who, p.id, attributes=change, pii={}, effective_on=on)
            self.counts["back_dated_events"] += 1

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
