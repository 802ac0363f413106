#!/usr/bin/env bash
# The real-browser tests (e2e/, node's test runner with playwright-core driving Debian's
# Chromium): starts `liaison serve --demo` on a fresh SQLite file, runs them, then again on a
# fresh PostgreSQL database when LIAISON_TEST_POSTGRES_URL is set.
# Usage: scripts/e2e.sh PATH_TO_LIAISON_BINARY
set -euo pipefail
bin=$(realpath "${1:?usage: scripts/e2e.sh PATH_TO_LIAISON_BINARY}")
cd "$(dirname "$0")/.."
chromium_bin=$(command -v chromium || true)
if [ -z "$chromium_bin" ]; then
  echo "e2e: no Chromium installed (Debian package chromium)" >&2
  exit 1
fi
if [ ! -d e2e/node_modules/playwright-core ]; then
  (cd e2e && npm ci --no-audit --no-fund --loglevel=error)
fi

run_against() {
  local label=$1 url=$2
  local dir port pid
  dir=$(mktemp -d)
  port=$((20000 + RANDOM % 20000))
  # Every test file signs its roles in from this one address, at once: the login limit is
  # raised for the run (its own test is tests/api/hardening.rs).
  (cd "$dir" && LIAISON_LISTEN="127.0.0.1:$port" LIAISON_DATABASE_URL="$url" LIAISON_LOG=warn LIAISON_LOGIN_PER_MINUTE=1000 exec "$bin" serve --demo >"$dir/server.log" 2>&1) &
  pid=$!
  # A debug build seeds the demo (a year of duty register for 301 deputies) in 10-20 s.
  for _ in $(seq 1 600); do
    kill -0 "$pid" 2>/dev/null || break
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  echo "e2e on $label"
  local status=0
  # LIAISON_BIN lets a test start a server of its own with other settings (sms.test.mjs).
  (cd e2e && BASE_URL="http://127.0.0.1:$port" CHROMIUM="$chromium_bin" LIAISON_BIN="$bin" node --test) || status=$?
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ "$status" != 0 ]; then
    echo "e2e failed on $label; server log:" >&2
    tail -50 "$dir/server.log" >&2
  fi
  rm -rf "$dir"
  return "$status"
}

run_against SQLite ""
if [ -n "${LIAISON_TEST_POSTGRES_URL:-}" ]; then
  name="liaison_e2e_$(date +%s)_$RANDOM"
  psql "$LIAISON_TEST_POSTGRES_URL" -qc "CREATE DATABASE $name" >/dev/null
  run_against PostgreSQL "${LIAISON_TEST_POSTGRES_URL%/*}/$name"
  psql "$LIAISON_TEST_POSTGRES_URL" -qc "DROP DATABASE $name" >/dev/null || true
fi
