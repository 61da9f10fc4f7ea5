"""Schemathesis over ``/openapi.json``: no input breaks the API, and every answer matches the documented shape.

Every operation of the schema is called in-process (ASGI) with generated input, valid and invalid, as four
callers: anonymous, a level-2 citizen, an employer representative and a civil officer (bearer tokens, which skip
CSRF). Two checks hold for every response: it is not a server error, and its body conforms to the schema of its
status code (error answers are documented once, as the shared error shape). The run is bounded and deterministic:
a fixed number of examples per operation, derandomized, without shrinking.

The fuzzed database is its own (small, seeded, demo grants in place), since the fuzzer files dossiers and shares.
Each operation runs as a Hypothesis test of its own (``operation.as_strategy``) rather than through Schemathesis's
pytest plugin, whose lazy loader renames pytest's nodes in a way pytest 9 no longer allows; one test then reports
every failing operation at once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy.orm import Session

from esibook.access.demo import demo_identities, grant_demo_roles
from esibook.app import create_app
from esibook.book.bulk import issue_all
from esibook.config import Settings
from esibook.periods import Month
from esibook.seeding.generator import SeedPlan
from esibook.seeding.loader import seed
from esibook.trust.pki import init_pki
from support.signed_in import token

CALLERS = ["anonymous", "citizen-l2", "employer-rep", "officer-civil"]
EXAMPLES = 25


@dataclass
class Fuzzed:
    schema: object
    tokens: dict[str, str | None]


@pytest.fixture(scope="module")
def fuzzed(databases, tmp_path_factory) -> Fuzzed:
    engine = databases.engine()
    seed(engine, SeedPlan(persons=300, months=6, seed=21, end_month=Month(2026, 10)))
    app_settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        data_dir=tmp_path_factory.mktemp("fuzz"),
        env="test",
    )
    with Session(engine) as session, session.begin():
        grant_demo_roles(session)
    with Session(engine) as session:
        init_pki(session, app_settings)
        issue_all(session, app_settings)
    with Session(engine) as session:
        identities = {identity.key: identity for identity in demo_identities(session)}
    tokens: dict[str, str | None] = {"anonymous": None}
    for key in CALLERS[1:]:
        who = identities[key]
        tokens[key] = token(app_settings, who.personal_id, who.name, who.level)
    config = SchemathesisConfig.from_dict(
        {
            "generation": {"max-examples": EXAMPLES, "deterministic": True, "no-shrink": True, "database": "none"},
            "phases": {"stateful": {"enabled": False}},
        }
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(app_settings), config=config)
    return Fuzzed(schema, tokens)


def _fuzz(operation, mode: GenerationMode, tokens: dict, answered: Counter) -> list[str]:
    """Run one operation in one generation mode as every caller; the failures found, one line each."""
    failures: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        for caller in CALLERS:
            token = tokens[caller]
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            try:
                response = case.call_and_validate(
                    headers=headers, checks=[not_a_server_error, response_schema_conformance]
                )
                answered[(operation.label, caller, response.status_code // 100)] += 1
            except (Exception, BaseExceptionGroup) as failure:  # a failed check (one, or a group): report, go on
                failures.append(f"{operation.label} [{mode.value}, {caller}]: {str(failure)[:1500]}")
                raise

    try:
        run()
    except (Exception, BaseExceptionGroup):  # recorded above; one failure per operation and mode is enough
        pass
    return failures[:1]


def test_no_input_breaks_the_api(fuzzed):
    failures: list[str] = []
    answered: Counter = Counter()
    operations = [result.ok() for result in fuzzed.schema.get_all_operations()]
    assert len(operations) > 40
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += _fuzz(operation, mode, fuzzed.tokens, answered)
    assert not failures, f"{len(failures)} failures:\n" + "\n\n".join(failures)
    # the run went past sign-in: each signed-in caller was answered with success by many operations
    for caller in CALLERS[1:]:
        succeeded = {label for label, who, kind in answered if who == caller and kind == 2}
        assert len(succeeded) >= 15, (caller, sorted(succeeded))
