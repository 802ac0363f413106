#!/usr/bin/env bash
# Makes sure a local PostgreSQL server runs and has a `liaison` account that may create test
# databases, then prints the URL to reach it. Installs Debian's `postgresql` when it is missing
# and we are root. Used by scripts/test and .ci/run; safe to run again.
set -euo pipefail

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "PostgreSQL is not installed; run: sudo apt-get install -y postgresql" >&2
    exit 1
  fi
  echo "installing PostgreSQL (Debian package postgresql)…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
  pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -qx online; then
  # After an unclean stop a server with many databases may spend minutes syncing its data
  # directory before it accepts connections; pg_ctl's own wait is one minute.
  pg_ctlcluster "$version" main start -- -t 900 >&2
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')

for _ in $(seq 1 30); do
  as_postgres pg_isready -q -p "$port" && break
  sleep 1
done

as_postgres psql -q -p "$port" -v ON_ERROR_STOP=1 >&2 <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'liaison') THEN
    CREATE ROLE liaison LOGIN CREATEDB PASSWORD 'liaison';
  END IF;
END $$;
SQL
if ! as_postgres psql -p "$port" -tAc "SELECT 1 FROM pg_database WHERE datname = 'liaison'" | grep -q 1; then
  as_postgres createdb -p "$port" -O liaison liaison >&2
fi

# Test runs create one database per test (liaison_t_…) and the browser tests one per run
# (liaison_e2e_…); a run that is killed leaves them behind. Drop those no session is using, so
# the data directory does not grow from run to run.
as_postgres psql -p "$port" -tAc "SELECT datname FROM pg_database d WHERE (datname LIKE 'liaison\_t\_%' OR datname LIKE 'liaison\_e2e\_%') AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)" |
  while read -r db; do
    as_postgres dropdb -p "$port" --if-exists "$db" 2>/dev/null || true
  done

echo "postgres://liaison:liaison@127.0.0.1:${port}/liaison"
