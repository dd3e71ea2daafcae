"""schemathesis generates requests for every operation of the project's own OpenAPI document, fitting the
schema and deliberately not fitting it, with a case manager's token (the backbone's for reports, an auditor's
for the history): nothing may answer 5xx. The event stream never ends by design, so it is only called by a
role it refuses.

(Driven through schemathesis' Python API with hypothesis: its pytest plugin does not support pytest 9.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from coord.config import Config
from events.crypto import MasterKey

EXAMPLES = 20


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory):
    from coord.web import create_app
    from coord.wiring import open_coord

    data = tmp_path_factory.mktemp("fuzz")
    coord = open_coord(
        Config.from_env({"COORD_DATA_DIR": str(data), "COORD_MASTER_KEY": MasterKey.generate().to_base64()})
    )
    app = create_app(coord=coord)
    tokens = {
        role: coord.tokens.create(role, "harbor" if role == "case_manager" else None, "fuzz")[1]
        for role in ("case_manager", "backbone", "auditor")
    }
    yield app, tokens
    coord.close()


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors(fuzz_target, mode):
    app, tokens = fuzz_target
    operations = _operations(app)
    assert len(operations) >= 20 and sum(op.path.startswith("/api/v1/reports") for op in operations) == 9
    for operation in operations:
        readers = {"/api/v1/reports": "backbone", "/api/v1/reports/monthly": "backbone", "/api/v1/audit": "auditor"}
        role = readers.get(operation.path.rsplit("/", 1)[0])
        token = tokens[role or "case_manager"]

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case):
            # Called at once below, within this iteration: the loop variable is the one meant.
            headers = {"Authorization": f"Bearer {token}"}  # noqa: B023
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        check()
