"""Schemathesis over the OpenAPI schema: no request, valid or not, gets a 5xx; every
error is a JSON body with a French message."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from vivier.web import create_app

MAX_EXAMPLES = 15


@pytest.fixture(scope="module")
def api_schema(demo_home, tmp_path_factory):
    app_settings = demo_home.model_copy(
        update={"database_url": f"sqlite:///{tmp_path_factory.mktemp('appdb') / 'app.sqlite'}"}
    )
    return schemathesis.openapi.from_asgi("/api/openapi.json", create_app(app_settings))


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_never_answers_with_a_server_error(case):
    response = case.call()
    assert response.status_code < 500, response.text[:500]
    if response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
        body = response.json()
        assert isinstance(body, dict) and (body.get("erreur") or body.get("detail")), body
