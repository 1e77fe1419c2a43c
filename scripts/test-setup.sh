#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine, then starts PostgreSQL.
# Idempotent: safe to run again. Prints the PostgreSQL URL to use on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v pg_ctlcluster >/dev/null 2>&1 || need_apt+=(postgresql)
fc-list 2>/dev/null | grep -qi dejavu || need_apt+=(fonts-dejavu-core)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >&2
  else
    echo "Paquets manquants (à installer en root) : ${need_apt[*]}" >&2
  fi
fi

python -m pip install -q -e ".[test]" >&2

# PostgreSQL: start the machine's cluster and create the test role and database.
if command -v pg_ctlcluster >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  [ -d "/etc/postgresql/$version/main" ] || pg_createcluster "$version" main >&2
  pg_ctlcluster "$version" main start >&2 2>/dev/null || true
  for _ in $(seq 1 30); do
    su postgres -c "pg_isready -q" && break
    sleep 1
  done
  su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='vivier'\"" | grep -q 1 \
    || su postgres -c "psql -q -c \"CREATE ROLE vivier LOGIN SUPERUSER PASSWORD 'vivier'\"" >&2
  su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='vivier_test'\"" | grep -q 1 \
    || su postgres -c "createdb -O vivier vivier_test" >&2
  echo "postgresql+psycopg://vivier:vivier@127.0.0.1:5432/vivier_test"
fi
