"""A listing's page logs the personal data it shows in one transaction, on SQLite and PostgreSQL: one chained
entry per person shown, in the page's order, none for a person the reader may not see."""

from __future__ import annotations

from sqlalchemy import text

from coord.service import audit
from coord.service.principal import Principal
from tests.support import auth, create_person


def _entries(coord) -> list[tuple[str, str, str]]:
    with coord.db.read() as connection:
        rows = connection.execute(text("SELECT actor, person_id, fields FROM access_log ORDER BY id")).all()
    return [tuple(row) for row in rows]


def test_a_page_of_persons_logs_one_entry_each_in_its_order(coord, client, tokens):
    made = [create_person(client, tokens["case_manager"], first_name=name) for name in ("Ana", "Bo", "Cy")]
    before = len(_entries(coord))
    page = client.get("/api/v1/persons?limit=10", headers=auth(tokens["case_manager"])).json["items"]
    listed = [item["id"] for item in page]
    assert sorted(listed) == sorted(person["id"] for person in made)
    logged = _entries(coord)[before:]
    fields = "dob,first_name,last_name"
    assert [(person_id, shown) for _actor, person_id, shown in logged] == [
        (person_id.replace("-", ""), fields) for person_id in listed
    ]
    assert len({actor for actor, _, _ in logged}) == 1
    assert audit.verify(coord, Principal("a", "auditor", None))["ok"] is True


def test_a_reader_who_may_not_see_logs_nothing(coord, client, tokens):
    create_person(client, tokens["case_manager"])
    before = _entries(coord)
    page = client.get("/api/v1/persons", headers=auth(tokens["other_agency"])).json["items"]
    assert len(page) == 1 and page[0]["first_name"] == "[redacted]"
    assert _entries(coord) == before
