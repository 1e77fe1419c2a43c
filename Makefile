# `make test` is the README's test command: it installs what the tests need, starts
# PostgreSQL, then runs the whole suite (browser and PostgreSQL tests included).
.PHONY: test lint demo

test:
	@url=$$(bash scripts/test-setup.sh | tail -n 1); \
	VIVIER_TEST_POSTGRES_URL=$${VIVIER_TEST_POSTGRES_URL:-$$url} python -m pytest -n 2 -q

lint:
	ruff check src tests bench
	ruff format --check src tests bench

demo:
	python -m pip install -q -e . && vivier demo
