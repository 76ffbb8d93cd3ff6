"""Property test: no generated request, valid or not, makes the live server answer 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from amer.serving.auth import KeyStore
from amer.serving.process import ServerProcess

pytestmark = pytest.mark.integration

MAX_EXAMPLES = 16
"""Per operation, valid and invalid cases mixed; six operations keep the run near 100 requests."""


@pytest.fixture(scope="module")
def live(
    lexicon_model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("schema")
    key = KeyStore(root / "keys.json").create("schemathesis")
    env = {
        "AMER_HOME": str(root / "home"),
        "AMER_KEYS_FILE": str(root / "keys.json"),
        "AMER_RELOAD_INTERVAL_S": "0",
        "AMER_MAX_TEXT_CHARS": "2000",
    }
    with ServerProcess(str(lexicon_model_dir), env=env) as server:
        yield {"url": server.url, "key": key}


def test_schema_no_server_errors(live: dict[str, Any]) -> None:
    schema = schemathesis.openapi.from_url(f"{live['url']}/openapi.json")
    headers = {"Authorization": f"Bearer {live['key']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/v1/entities", "/v1/entities/batch", "/v1/model"}
    for operation in operations:
        strategy = operation.as_strategy() | operation.as_strategy(GenerationMode.NEGATIVE)

        @given(case=strategy)
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        def check(case: Any) -> None:
            response = case.call(headers=headers, timeout=30)
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )

        check()
