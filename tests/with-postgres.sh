#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster: initdb in a temporary directory,
# server on a Unix socket only (no TCP), run as an unprivileged user, removed afterwards.
# The command sees TEST_DATABASE_URL.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ]; then
  echo "PostgreSQL server programs not found (apt-get install postgresql)" >&2
  exit 1
fi
tmp=$(mktemp -d /tmp/kartlaggning-pg.XXXXXX)
as_owner=()
if [ "$(id -u)" = 0 ]; then
  # initdb refuses to run as root.
  chown nobody:nogroup "$tmp"
  as_owner=(runuser -u nobody --)
fi

stop() {
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap stop EXIT

"${as_owner[@]}" "$bindir/initdb" -D "$tmp/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
"${as_owner[@]}" "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w \
  -o "-k $tmp -c listen_addresses='' -c fsync=off -c full_page_writes=off" start >/dev/null
"$bindir/psql" -q -h "$tmp" -U postgres -d postgres -c "CREATE DATABASE kartlaggning_test" >/dev/null

TEST_DATABASE_URL="postgresql://postgres@/kartlaggning_test?host=$tmp" "$@"
