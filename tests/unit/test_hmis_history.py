"""Unit tests of an HMIS client's history (coord/hmis/history.py): one test per rule of docs/design.md
"HMIS import", on hand-made records, and a property: every history replays on the Person aggregate."""

from datetime import date, timedelta
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coord.hmis.history import Step, client_history, histories
from coord.hmis.records import Client, Enrollment, Exit, Export, LivingSituation, Project, Service
from events.person import Person

END = date(2022, 9, 30)
#: One project per HMIS project type the rules name, plus services only (6), which is neither.
PROJECT_TYPES = {"es": 0, "nbn": 1, "th": 2, "psh": 3, "so": 4, "sso": 6, "sh": 8, "ph": 9, "phs": 10, "rrh": 13}
ADULT = date(1970, 5, 1)
SINGLE = {
    "veteran": "no",
    "race_ethnicity": ["white"],
    "sex": "male",
    "chronic": False,
    "birth_year": 1970,
    "household_type": "single_adult",
}


def d(text: str) -> date:
    return date.fromisoformat(text)


def client(personal_id: str = "A", dob: date | None = ADULT, veteran: int | None = 0, **fields: object) -> Client:
    values: dict = {"race_ethnicity": ["white"], "sex": "male", **fields}
    return Client(personal_id, None, None, dob, None, veteran, values["race_ethnicity"], values["sex"])


def enrol(
    enrollment_id: str,
    project: str,
    entry: str,
    *,
    person: str = "A",
    household: str | None = None,
    move_in: str | None = None,
    disabling: int | None = None,
    months: int | None = None,
    street: str | None = None,
) -> Enrollment:
    return Enrollment(
        enrollment_id,
        person,
        project,
        household or f"h-{enrollment_id}",
        d(entry),
        d(move_in) if move_in else None,
        disabling,
        months,
        d(street) if street else None,
    )


def export(
    *records: object, clients: list[Client] | None = None, end: date = END, inactive_days: int = 90
) -> list[Step]:
    """The history of client A in an export of `records` (enrollments, exits, services, living situations)."""
    return client_history(build(records, clients or [client()], end), "A", inactive_days)


def build(records: tuple | list, clients: list[Client], end: date = END) -> Export:
    built = Export("FY2024", "1", "s1", date(2021, 10, 1), end, False)
    built.clients = {c.personal_id: c for c in clients}
    built.projects = {pid: Project(pid, pid, kind) for pid, kind in PROJECT_TYPES.items()}
    for record in records:
        if isinstance(record, Enrollment):
            built.enrollments[record.enrollment_id] = record
        elif isinstance(record, Exit):
            built.exits[record.enrollment_id] = record
        elif isinstance(record, Service):
            built.services.append(record)
        else:
            assert isinstance(record, LivingSituation)
            built.living_situations.append(record)
    return built


def out(enrollment_id: str, on: str, destination: int | None = 99) -> Exit:
    return Exit(enrollment_id, d(on), destination)


def service(enrollment_id: str, on: str) -> Service:
    return Service(enrollment_id, d(on))


def identified(on: str, project: str, **attributes: object) -> list[Step]:
    return [Step("Identified", d(on), attributes={**SINGLE, **attributes}), contact(on, project)]


def contact(on: str, project: str) -> Step:
    return Step("ContactRecorded", d(on), project_id=project)


def inactive(on: str, reason: str = "no_contact") -> Step:
    return Step("MarkedInactive", d(on), reason=reason)


# Identification and activity


def test_first_activity_identifies_with_the_client_attributes() -> None:
    assert export(enrol("e1", "so", "2022-09-01")) == identified("2022-09-01", "so")


def test_records_with_no_activity_make_no_history() -> None:
    # A housing project's entry, move-in and services are not activity; housing before identification is nothing.
    records = [enrol("e1", "psh", "2022-01-03", move_in="2022-01-10"), service("e1", "2022-02-01")]
    assert export(*records, out("e1", "2022-03-01", 410)) == []


def test_entries_of_night_by_night_shelter_and_outreach_are_activity_others_not() -> None:
    records = [enrol("e1", "sso", "2022-07-01"), enrol("e2", "ph", "2022-07-02"), enrol("e3", "nbn", "2022-07-05")]
    assert export(*records, enrol("e4", "so", "2022-07-09")) == [
        *identified("2022-07-05", "nbn"),
        contact("2022-07-09", "so"),
    ]


def test_services_are_activity_on_homeless_projects_only() -> None:
    records = [enrol("e1", "nbn", "2022-08-01"), enrol("e2", "sso", "2022-01-01"), enrol("e3", "rrh", "2022-01-01")]
    services = [service("e1", "2022-08-20"), service("e2", "2022-08-21"), service("e3", "2022-08-22")]
    assert export(*records, *services) == [*identified("2022-08-01", "nbn"), contact("2022-08-20", "nbn")]


def test_one_contact_per_activity_date() -> None:
    records = [enrol("e1", "so", "2022-08-01"), enrol("e2", "nbn", "2022-08-01"), service("e1", "2022-08-01")]
    assert export(*records, service("e2", "2022-08-03"), service("e1", "2022-08-03")) == [
        *identified("2022-08-01", "so"),  # of one date's activity, entries first, then by enrollment id
        contact("2022-08-03", "so"),
    ]


def test_living_situations_101_116_118_are_activity_on_any_enrollment() -> None:
    records = [enrol("e1", "sso", "2022-01-01"), enrol("e2", "psh", "2022-01-01")]
    situations = [LivingSituation("e1", d("2022-08-01"), 215), LivingSituation("e2", d("2022-08-02"), None)]
    situations += [LivingSituation("e1", d("2022-08-03"), 101), LivingSituation("e2", d("2022-08-04"), 116)]
    situations += [LivingSituation("e1", d("2022-08-05"), 118), LivingSituation("e1", d("2022-08-06"), 410)]
    assert export(*records, *situations) == [
        *identified("2022-08-03", "sso"),
        contact("2022-08-04", "psh"),
        contact("2022-08-05", "sso"),
    ]


def test_facts_after_the_export_end_are_left_out() -> None:
    records = [enrol("e1", "so", "2022-09-01"), service("e1", "2022-10-01"), out("e1", "2022-10-02", 24)]
    assert export(*records) == identified("2022-09-01", "so")


# Inactivity and the end rule


def test_inactive_after_n_days_and_return_from_inactive() -> None:
    records = [enrol("e1", "so", "2022-01-01"), service("e1", "2022-06-01")]
    assert export(*records) == [
        *identified("2022-01-01", "so"),
        inactive("2022-04-01"),  # 2022-01-01 + 90 days
        Step("ReturnedFromInactive", d("2022-06-01")),
        contact("2022-06-01", "so"),
        inactive("2022-08-30"),  # the end rule: 2022-06-01 + 90 is not after the export end
    ]


def test_activity_exactly_n_days_later_keeps_the_person_active() -> None:
    records = [enrol("e1", "so", "2022-07-01"), service("e1", "2022-07-31")]
    assert export(*records, inactive_days=30) == [
        *identified("2022-07-01", "so"),
        contact("2022-07-31", "so"),
        inactive("2022-08-30"),
    ]


def test_inactivity_is_checked_before_housing_and_death_facts_too() -> None:
    records = [enrol("e1", "so", "2022-01-01"), enrol("e2", "rrh", "2022-01-01", move_in="2022-05-01")]
    assert export(*records, out("e1", "2022-06-01", 24)) == [*identified("2022-01-01", "so"), inactive("2022-04-01")]


def test_end_rule_marks_inactive_on_the_export_end_but_not_after_it() -> None:
    assert export(enrol("e1", "so", "2022-07-02")) == [*identified("2022-07-02", "so"), inactive("2022-09-30")]
    assert export(enrol("e1", "so", "2022-07-03")) == identified("2022-07-03", "so")


def test_a_stay_is_activity_on_every_day_but_one_contact_at_its_entry() -> None:
    records = [enrol("e1", "es", "2022-01-01"), out("e1", "2022-06-30"), enrol("e2", "so", "2022-06-10")]
    assert export(*records) == [
        *identified("2022-01-01", "es"),
        contact("2022-06-10", "so"),
        inactive("2022-09-28"),  # last activity is the stay's last day, 2022-06-30, + 90
    ]


def test_an_open_stay_lasts_to_the_export_end() -> None:
    records = [enrol("e1", "th", "2021-10-05"), service("e1", "2022-03-01"), enrol("e2", "sh", "2022-09-01")]
    assert export(*records, out("e2", "2022-09-02")) == [
        *identified("2021-10-05", "th"),
        contact("2022-03-01", "th"),
        contact("2022-09-01", "sh"),
    ]


def test_activity_sets_last_activity_to_the_later_of_its_date_and_its_stay_end() -> None:
    # A service on a stay counts to the stay's end; a shorter stay inside a longer one does not shorten it.
    records = [enrol("e1", "es", "2022-01-01"), out("e1", "2022-03-31"), enrol("e2", "sh", "2022-02-01")]
    assert export(*records, out("e2", "2022-02-02"), service("e1", "2022-02-10")) == [
        *identified("2022-01-01", "es"),
        contact("2022-02-01", "sh"),
        contact("2022-02-10", "es"),
        inactive("2022-06-29"),  # 2022-03-31 + 90
    ]


# Housing and return from housing


def test_housed_by_move_in_with_destination_435() -> None:
    records = [enrol("e1", "so", "2022-01-10"), enrol("e2", "psh", "2022-02-01", move_in="2022-02-15")]
    assert export(*records) == [*identified("2022-01-10", "so"), Step("Housed", d("2022-02-15"), destination=435)]


def test_move_in_before_entry_or_on_other_project_types_does_not_house() -> None:
    records = [enrol("e1", "so", "2022-07-10"), enrol("e2", "rrh", "2022-08-01", move_in="2022-07-31")]
    records += [enrol("e3", "sso", "2022-08-01", move_in="2022-08-02"), enrol("e4", "th", "2022-07-11")]
    assert export(*records, out("e4", "2022-07-11"), enrol("e5", "ph", "2022-08-03", move_in="2022-08-03")) == [
        *identified("2022-07-10", "so"),
        contact("2022-07-11", "th"),
        Step("Housed", d("2022-08-03"), destination=435),
    ]


def test_housed_by_an_exit_to_a_permanent_destination() -> None:
    records = [enrol("e1", "es", "2022-03-01"), out("e1", "2022-04-01", 410)]
    assert export(*records) == [*identified("2022-03-01", "es"), Step("Housed", d("2022-04-01"), destination=410)]


def test_exits_to_other_destinations_do_not_house() -> None:
    records = [enrol("e1", "so", "2022-08-01"), out("e1", "2022-08-02", 399), enrol("e2", "so", "2022-08-03")]
    assert export(*records, out("e2", "2022-08-04", 500)) == [
        *identified("2022-08-01", "so"),
        contact("2022-08-03", "so"),
    ]


def test_return_from_housing_on_activity_of_a_later_enrollment() -> None:
    records = [enrol("e1", "so", "2022-01-10"), enrol("e2", "psh", "2022-02-01", move_in="2022-02-15")]
    assert export(*records, enrol("e3", "so", "2022-06-01")) == [
        *identified("2022-01-10", "so"),
        Step("Housed", d("2022-02-15"), destination=435),
        Step("ReturnedFromHousing", d("2022-06-01")),
        contact("2022-06-01", "so"),
        inactive("2022-08-30"),
    ]


def test_late_records_of_the_stay_before_housing_are_ignored() -> None:
    # Services and situations of enrollments that began on or before the housing date: no return, no contact.
    records = [enrol("e1", "so", "2022-01-10"), enrol("e2", "psh", "2022-02-01", move_in="2022-02-15")]
    records += [enrol("e3", "nbn", "2022-02-15"), service("e1", "2022-03-01"), service("e3", "2022-03-02")]
    records += [LivingSituation("e1", d("2022-03-03"), 101), LivingSituation("e4", d("2022-03-05"), 116)]
    records += [enrol("e4", "sso", "2022-02-16")]
    assert export(*records) == [
        *identified("2022-01-10", "so"),
        contact("2022-02-15", "nbn"),  # on one date, activity comes before housing
        Step("Housed", d("2022-02-15"), destination=435),
        Step("ReturnedFromHousing", d("2022-03-05")),
        contact("2022-03-05", "sso"),
        inactive("2022-06-03"),
    ]


def test_a_stay_that_ends_in_housing_does_not_return_from_it() -> None:
    records = [enrol("e1", "es", "2022-01-01"), enrol("e2", "rrh", "2022-01-05", move_in="2022-02-01")]
    assert export(*records, out("e1", "2022-03-01", 435), service("e1", "2022-02-20")) == [
        *identified("2022-01-01", "es"),
        Step("Housed", d("2022-02-01"), destination=435),
    ]


def test_housing_when_housed_or_inactive_is_nothing() -> None:
    records = [enrol("e1", "so", "2022-01-01"), enrol("e2", "psh", "2022-06-01", move_in="2022-06-01")]
    records += [enrol("e3", "so", "2022-06-02"), out("e3", "2022-06-03", 410), out("e2", "2022-06-04", 422)]
    assert export(*records) == [
        *identified("2022-01-01", "so"),
        inactive("2022-04-01"),
        Step("ReturnedFromInactive", d("2022-06-02")),
        contact("2022-06-02", "so"),
        Step("Housed", d("2022-06-03"), destination=410),
    ]


# Death


def test_death_marks_inactive_deceased_and_nothing_follows() -> None:
    records = [enrol("e1", "so", "2022-01-10"), out("e1", "2022-03-01", 24)]
    records += [enrol("e2", "so", "2022-05-01", disabling=1, months=112)]
    records += [enrol("e3", "rrh", "2022-05-01", move_in="2022-05-02")]
    assert export(*records) == [*identified("2022-01-10", "so"), inactive("2022-03-01", "deceased")]


def test_death_when_not_active_records_nothing() -> None:
    records = [enrol("e1", "so", "2022-01-10"), out("e1", "2022-06-01", 24), enrol("e2", "so", "2022-07-01")]
    assert export(*records) == [
        *identified("2022-01-10", "so"),
        inactive("2022-04-10"),
        Step("ReturnedFromInactive", d("2022-07-01")),
        contact("2022-07-01", "so"),
        inactive("2022-09-29"),
    ]


# One date: attributes, then activity (its status step, then its contact), then housing, then death


def test_same_day_order() -> None:
    family = [enrol("e2", "es", "2022-06-01", household="h"), out("e2", "2022-06-01", 435)]
    family += [enrol("k2", "es", "2022-06-01", person="K", household="h")]
    clients = [client(), client("K", date(2015, 1, 1))]
    assert export(enrol("e1", "so", "2022-01-03"), *family, clients=clients) == [
        *identified("2022-01-03", "so"),
        inactive("2022-04-03"),
        Step("AttributesChanged", d("2022-06-01"), attributes={"household_type": "family"}),
        Step("ReturnedFromInactive", d("2022-06-01")),
        contact("2022-06-01", "es"),
        Step("Housed", d("2022-06-01"), destination=435),
    ]


def test_activity_on_the_day_of_death_comes_before_it() -> None:
    records = [enrol("e1", "so", "2022-01-10"), out("e1", "2022-03-01", 24), service("e1", "2022-03-01")]
    assert export(*records) == [
        *identified("2022-01-10", "so"),
        contact("2022-03-01", "so"),
        inactive("2022-03-01", "deceased"),
    ]


# Attributes


def test_client_attributes() -> None:
    records = [enrol("e1", "so", "2022-08-01")]
    vet = client(veteran=1, race_ethnicity=["black_af_american", "hispanic_latina_o"], sex="female")
    assert export(*records, clients=[vet]) == identified(
        "2022-08-01", "so", veteran="yes", race_ethnicity=["black_af_american", "hispanic_latina_o"], sex="female"
    )
    for code in (8, 9, 99, None):
        unknown = client(veteran=code, race_ethnicity=[], dob=None)
        attributes = {**SINGLE, "veteran": "unknown", "race_ethnicity": ["unknown"]}
        del attributes["birth_year"]
        assert export(*records, clients=[unknown])[0] == Step("Identified", d("2022-08-01"), attributes=attributes)


def test_chronic_by_months_homeless() -> None:
    chronic = enrol("e1", "es", "2022-08-01", disabling=1, months=112)
    assert export(chronic) == identified("2022-08-01", "es", chronic=True)
    assert export(enrol("e1", "es", "2022-08-01", disabling=1, months=111)) == identified("2022-08-01", "es")
    assert export(enrol("e1", "es", "2022-08-01", disabling=0, months=113)) == identified("2022-08-01", "es")


def test_chronic_by_a_year_since_the_street() -> None:
    year = enrol("e1", "so", "2022-08-01", disabling=1, street="2021-08-01")
    assert export(year) == identified("2022-08-01", "so", chronic=True)
    short = enrol("e1", "so", "2022-08-01", disabling=1, street="2021-08-02")
    assert export(short) == identified("2022-08-01", "so")


def test_chronic_from_homeless_enrollments_only_and_never_reverting() -> None:
    housing = enrol("e1", "psh", "2022-01-01", disabling=1, months=112)
    later = enrol("e3", "nbn", "2022-03-01", disabling=1, street="2020-01-01")
    assert export(housing, enrol("e2", "so", "2022-02-01"), later, enrol("e4", "so", "2022-04-01", disabling=0)) == [
        *identified("2022-02-01", "so"),
        Step("AttributesChanged", d("2022-03-01"), attributes={"chronic": True}),
        contact("2022-03-01", "nbn"),
        contact("2022-04-01", "so"),
        inactive("2022-06-30"),
    ]


def test_household_types_family_youth_single_adult() -> None:
    young = client(dob=date(1998, 8, 2))  # 23 at the entries below
    child = client("K", date(2005, 8, 2))  # 16 at the entries below
    family = [
        enrol("e1", "so", "2022-08-01", household="h"),
        enrol("k1", "so", "2022-08-01", person="K", household="h"),
    ]
    assert export(*family, clients=[client(), child]) == identified("2022-08-01", "so", household_type="family")
    assert export(*family, clients=[young, child]) == identified(
        "2022-08-01", "so", household_type="family", birth_year=1998
    )
    assert export(family[0], clients=[young]) == identified("2022-08-01", "so", household_type="youth", birth_year=1998)
    adults = [family[0], enrol("k1", "so", "2022-08-01", person="K", household="h")]
    assert export(*adults, clients=[client(), client("K")]) == identified("2022-08-01", "so")


def test_a_child_alone_is_youth_and_an_unknown_age_is_adult() -> None:
    alone = client(dob=date(2006, 1, 1))
    assert export(enrol("e1", "so", "2022-08-01"), clients=[alone]) == identified(
        "2022-08-01", "so", household_type="youth", birth_year=2006
    )
    unknown = [
        enrol("e1", "so", "2022-08-01", household="h"),
        enrol("k1", "so", "2022-08-01", person="K", household="h"),
    ]
    steps = export(*unknown, clients=[client(dob=None), client("K", None)])
    assert steps[0].attributes == {name: value for name, value in SINGLE.items() if name != "birth_year"}


def test_household_type_changes_with_a_later_enrollment() -> None:
    young = client(dob=date(2000, 1, 1))  # 22 in 2022
    records = [enrol("e1", "so", "2022-01-01"), enrol("e2", "so", "2022-02-01", household="h")]
    records += [enrol("k2", "so", "2022-02-01", person="K", household="h"), enrol("e3", "psh", "2022-03-01")]
    assert export(*records, clients=[young, client("K", date(2021, 1, 1))]) == [
        *identified("2022-01-01", "so", household_type="youth", birth_year=2000),
        Step("AttributesChanged", d("2022-02-01"), attributes={"household_type": "family"}),
        contact("2022-02-01", "so"),
        Step("AttributesChanged", d("2022-03-01"), attributes={"household_type": "youth"}),
        inactive("2022-05-02"),
    ]


def test_attributes_stated_before_identification_are_identifications_own() -> None:
    records = [
        enrol("e1", "psh", "2022-01-01", household="h"),
        enrol("k1", "psh", "2022-01-01", person="K", household="h"),
    ]
    records += [
        enrol("e2", "so", "2022-08-01", household="h2"),
        enrol("k2", "so", "2022-08-01", person="K", household="h2"),
    ]
    clients = [client(), client("K", date(2015, 1, 1))]
    assert export(*records, clients=clients) == identified("2022-08-01", "so", household_type="family")


def test_a_negative_number_of_inactive_days_is_refused() -> None:
    with pytest.raises(ValueError, match="^inactive_days must not be negative$"):
        export(enrol("e1", "so", "2022-08-01"), inactive_days=-1)


def test_histories_walks_every_client_once() -> None:
    records = [enrol("e1", "so", "2022-08-01"), enrol("b1", "so", "2022-08-02", person="B")]
    built = build(records, [client(), client("B"), client("C")])
    assert dict(histories(built)) == {
        "A": identified("2022-08-01", "so"),
        "B": identified("2022-08-02", "so"),
        "C": [],
    }


# Property: every history is valid for the Person aggregate


DAYS = st.integers(min_value=0, max_value=420)  # from 2021-09-01, some past the export end
FIRST = date(2021, 9, 1)
DESTINATIONS = st.sampled_from([None, 1, 24, 24, 24, 99, 116, 399, 400, 410, 435, 499, 500])


@st.composite
def random_export(draw: st.DrawFn) -> Export:
    people = ["A", "B", "C"]
    clients = [
        client(p, draw(st.none() | st.dates(date(1950, 1, 1), date(2022, 1, 1))), draw(st.sampled_from([0, 1, 99])))
        for p in people
    ]
    records: list = []
    for n in range(draw(st.integers(0, 7))):
        entry = FIRST + timedelta(days=draw(DAYS))
        move_in = draw(st.none() | st.integers(-10, 200).map(lambda days, e=entry: e + timedelta(days=days)))
        records.append(
            Enrollment(
                f"e{n}",
                draw(st.sampled_from(people)),
                draw(st.sampled_from(list(PROJECT_TYPES))),
                f"h{draw(st.integers(0, 3))}",
                entry,
                move_in,
                draw(st.sampled_from([None, 0, 1])),
                draw(st.sampled_from([None, 101, 111, 112, 113])),
                draw(st.none() | st.dates(date(2018, 1, 1), entry)),
            )
        )
        if draw(st.booleans()):
            records.append(Exit(f"e{n}", entry + timedelta(days=draw(st.integers(-5, 300))), draw(DESTINATIONS)))
        for _ in range(draw(st.integers(0, 3))):
            records.append(Service(f"e{n}", FIRST + timedelta(days=draw(DAYS))))
        for _ in range(draw(st.integers(0, 2))):
            situation = draw(st.sampled_from([None, 101, 116, 118, 215, 410]))
            records.append(LivingSituation(f"e{n}", FIRST + timedelta(days=draw(DAYS)), situation))
    return build(records, clients)


STATUS_AFTER = {"Identified": "active", "ReturnedFromInactive": "active", "ReturnedFromHousing": "active"}
STATUS_AFTER |= {"Housed": "housed", "MarkedInactive": "inactive"}


def replay(steps: list[Step]) -> Person:
    """Append every step through the Person's commands, as the importer does; any refusal raises."""
    who = {"actor": "system:hmis-import", "agency": "north"}
    identification, *rest = steps
    person = Person.identify(
        id=uuid4(), attributes=identification.attributes, pii={}, effective_on=identification.on, **who
    )
    to = {"Housed": "housed", "MarkedInactive": "inactive", "ReturnedFromHousing": "active"}
    for step in rest:
        if step.kind == "ContactRecorded":
            person.record_contact(effective_on=step.on, **who)
        elif step.kind == "AttributesChanged":
            person.change_attributes(attributes=step.attributes, pii={}, effective_on=step.on, **who)
        else:
            person.transition(
                to=to.get(step.kind, "active"),
                reason=step.reason,
                destination=step.destination,
                effective_on=step.on,
                **who,
            )
    return person


@settings(max_examples=300, deadline=None)
@given(random_export(), st.sampled_from([0, 1, 30, 90]))
def test_every_history_replays_on_the_person_aggregate(built: Export, inactive_days: int) -> None:
    for _, steps in histories(built, inactive_days):
        if not steps:
            continue
        assert steps[0].kind == "Identified"
        assert [step.on for step in steps] == sorted(step.on for step in steps)
        assert all(steps[0].on <= step.on <= built.end for step in steps)
        assert sum(step.kind == "Identified" for step in steps) == 1
        moves = [step.kind for step in steps if step.kind not in ("ContactRecorded", "AttributesChanged")]
        assert replay(steps).status == STATUS_AFTER[moves[-1]]
