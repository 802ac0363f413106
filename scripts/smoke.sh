#!/usr/bin/env bash
# Starts `liaison serve --demo` on a fresh SQLite file, as the README's first command does, and
# checks the login page, the OpenAPI document, /healthz and a demo login; then stops it with
# SIGTERM and checks it shut down cleanly. Usage: scripts/smoke.sh PATH_TO_LIAISON_BINARY
set -euo pipefail
bin=${1:?usage: scripts/smoke.sh PATH_TO_LIAISON_BINARY}
dir=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
(cd "$dir" && LIAISON_LISTEN="127.0.0.1:$port" exec "$bin" serve --demo >"$dir/out.log" 2>&1) &
pid=$!
# A debug build seeds the demo (a year of duty register for 301 deputies) in 10-20 s.
for _ in $(seq 1 600); do
  kill -0 "$pid" 2>/dev/null || break
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
fail() { echo "smoke: $*" >&2; cat "$dir/out.log" >&2; exit 1; }
[ "$(curl -fs "http://127.0.0.1:$port/healthz")" = ok ] || fail "/healthz"
[ "$(curl -fs "http://127.0.0.1:$port/readyz")" = ready ] || fail "/readyz"
# Fetch whole bodies before looking into them: a reader that stops early would kill curl with
# SIGPIPE and pipefail would call it a failure.
has() { curl -fs "http://127.0.0.1:$port$1" -o "$dir/body" "${@:3}" && grep -q "$2" "$dir/body"; }
has /login 工作人员登录 || fail "login page"
has /api/openapi.json '"/api/v1/session"' || fail "OpenAPI document"
has /api/v1/session '"token"' -X POST -H 'content-type: application/json' \
  -d '{"username":"supervisor","password":"liaison2026demo"}' || fail "demo login"
[ -f "$dir/data/liaison.db" ] || fail "no SQLite file at ./data/liaison.db"
has /county/611026 乾佑街道人大代表联络站 || fail "public directory"
has /station/qianyou-renhe 仁和社区代表联络点 || fail "station page"
has /qr/deputy/wang-fang.png PNG || fail "deputy QR code"
kill -TERM "$pid"
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
kill -0 "$pid" 2>/dev/null && fail "did not stop on SIGTERM"
wait "$pid" || fail "exited non-zero after SIGTERM"
grep -q "liaison stopped" "$dir/out.log" || fail "no clean shutdown"
echo "smoke: ok (serve --demo on SQLite, login page, OpenAPI, healthz, demo login, directory, QR, graceful stop)"
