"""Who is on the demo's list: each person's profile (clear attributes, personal data, the services on their
path), with a few who stay active in every population and pairs of duplicates identified at two agencies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from coord.demo.catalogue import AGENCY_OF, NOTES, RACES, TRACKS
from coord.demo.chance import Chance
from events.populations import POPULATIONS, populations_of

#: How long before today a returner is identified: every step of theirs then falls within the last year.
RETURNER_DAYS = (270, 300)


@dataclass
class Profile:
    attributes: dict[str, Any]
    pii: dict[str, str]
    path: list[str]
    identified_on: date
    c2c: bool = False
    #: Stays active to the end, so that every population keeps someone on the list.
    stayer: bool = False
    #: Goes inactive and returns, is housed and returns, all within the last year: every population has every
    #: flow in the 12-month report, whatever today is.
    returner: bool = False
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


class Census:
    def __init__(self, chance: Chance) -> None:
        self.chance, self.rng, self.today = chance, chance.rng, chance.today
        self.duplicate_pairs = 0

    def profiles(self, count: int) -> list[Profile]:
        profiles = [self.profile() for _ in range(count)]
        homeless = [p for p in profiles if not p.c2c]
        self.designate(homeless, count)
        adults = [p for p in homeless if p.attributes["household_type"] == "single_adult" and not p.stayer]
        pairs = self.rng.sample(adults, 2 * min(len(adults) // 2, max(1, count // 32)))
        for original, copy in zip(pairs[::2], pairs[1::2], strict=True):
            self.duplicate(original, copy)
        self.duplicate_pairs = len(pairs) // 2
        return sorted(profiles, key=lambda p: p.identified_on)

    def designate(self, homeless: list[Profile], count: int) -> None:
        """Stayers and returners for each population ("all" holds everyone: the others cover it). They are the
        members of fewest populations whose veteran status is known, so that keeping one population going does
        not crowd another: veterans must still be able to reach functional zero."""
        candidates = sorted(
            homeless, key=lambda p: (len(populations_of(p.attributes)), p.attributes["veteran"] == "unknown")
        )
        populations = [name for name in POPULATIONS if name != "all"]
        for name in populations:
            # One veteran stays on the list: with the pathway's speed, veterans can reach functional zero.
            keep = 1 if name == "veterans" else max(1, count // 200)
            for p in [p for p in candidates if name in populations_of(p.attributes) and not p.stayer][:keep]:
                p.stayer, p.identified_on = True, max(self.chance.start, self.today - self.chance.days(5, 75))
        if (self.today - self.chance.start).days < 90:
            return  # a shorter history has no room for a returner's steps
        for name in populations:
            members = [p for p in candidates if name in populations_of(p.attributes) and self.steady(p)]
            if members and not any(p.returner for p in members):
                members[0].returner = True
                members[0].identified_on = max(self.chance.start, self.today - self.chance.days(*RETURNER_DAYS))

    def steady(self, p: Profile) -> bool:
        """Not a stayer, and in the same populations until today: no youth who turns 25 (a single adult then)."""
        turns_25 = p.attributes["household_type"] == "youth" and self.today.year - p.attributes["birth_year"] > 23
        return not (p.stayer or turns_25)

    def profile(self) -> Profile:
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
        identified_on = self.chance.start + self.chance.days(0, (self.today - self.chance.start).days)
        profile = Profile(attributes, self.pii(sex, birth_year), list(path), identified_on, c2c=c2c)
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
        fake, rng = self.chance.fake, self.rng
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

    def duplicate(self, original: Profile, copy: Profile) -> None:
        """The same person identified again at another agency: same name and date of birth."""
        for name in ("first_name", "last_name", "dob"):
            copy.pii[name] = original.pii[name]
        copy.attributes["birth_year"] = original.attributes["birth_year"]
        if AGENCY_OF[copy.path[0]] == AGENCY_OF[original.path[0]]:
            entry = ["emergency_shelter"] if original.path[0] == "coordinated_entry" else []
            copy.path = [*entry, "coordinated_entry", copy.path[-1]]
