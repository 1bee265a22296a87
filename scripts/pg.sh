#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL cluster:
#
#   scripts/pg.sh [--durable] COMMAND [ARG...]
#
# 1. finds PostgreSQL's server binaries (/usr/lib/postgresql/*/bin, or PATH),
#    installing the Debian package `postgresql` when they are missing;
# 2. creates a cluster with initdb in a new temp directory: as the `postgres`
#    user when run as root (PostgreSQL refuses to run as root), else as the
#    current user;
# 3. starts it with pg_ctl on a free loopback port (TCP only on 127.0.0.1,
#    its socket in the temp directory), creates the database `okra`;
# 4. runs COMMAND with OKRA_EVENTLOG_TEST_PG=postgres://okra@127.0.0.1:PORT/okra
#    (and PG_URL, the same) in its environment;
# 5. stops the cluster and removes the directory on exit, whatever happened.
#
# By default the cluster trades durability for speed (fsync=off), which suits
# tests; --durable keeps PostgreSQL's defaults (fsync on), for benchmarks.
set -euo pipefail

durable=0
if [ "${1:-}" = "--durable" ]; then
  durable=1
  shift
fi
if [ "$#" -eq 0 ]; then
  echo "usage: scripts/pg.sh [--durable] COMMAND [ARG...]" >&2
  exit 2
fi

say() { printf 'pg.sh: %s\n' "$*" >&2; }

find_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then
      echo "$d"
      return 0
    fi
  done
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return 0
  fi
  return 1
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n "$@"
  else
    say "PostgreSQL is missing and this user cannot install it: run apt-get install postgresql"
    exit 1
  fi
}

if ! bin="$(find_bin)"; then
  say "PostgreSQL is not installed: installing the Debian package postgresql"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bin="$(find_bin)" || { say "no pg_ctl after installing postgresql"; exit 1; }
fi

# Who runs the server: never root.
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
  if command -v runuser >/dev/null 2>&1; then
    run_as=(runuser -u postgres --)
  else
    run_as=(su postgres -s /bin/sh -c '"$0" "$@"')
  fi
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/okra-pg.XXXXXX")"
chmod 700 "$dir"
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$dir"
fi

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
    return
  fi
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
}

started=0
cleanup() {
  local rc=$?
  if [ "$started" -eq 1 ]; then
    "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"${run_as[@]}" "$bin/initdb" -D "$dir/data" -U okra --auth=trust -E UTF8 --no-locale \
  >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }

opts="-c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=300"
opts="$opts -c shared_buffers=256MB"
if [ "$durable" -eq 0 ]; then
  opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi

# A port can be taken between the probe and the start: try a few.
for attempt in 1 2 3 4 5; do
  port="$(free_port)"
  if "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port $opts" start >/dev/null 2>&1; then
    started=1
    break
  fi
  say "start on port $port failed (attempt $attempt)"
  tail -5 "$dir/server.log" >&2 || true
done
[ "$started" -eq 1 ] || { say "PostgreSQL did not start"; exit 1; }

"${run_as[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U okra okra

export OKRA_EVENTLOG_TEST_PG="postgres://okra@127.0.0.1:$port/okra"
export PG_URL="$OKRA_EVENTLOG_TEST_PG"
export PG_BIN="$bin"
say "PostgreSQL $("$bin/pg_ctl" --version | awk '{print $3}') at $OKRA_EVENTLOG_TEST_PG ($( [ "$durable" -eq 1 ] && echo durable || echo fsync off))"
"$@"
