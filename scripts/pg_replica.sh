#!/usr/bin/env bash
# A throwaway PostgreSQL primary and its streaming standby, in a temporary folder, on
# free ports, for the replica tests (tests/bastion/test_replica.py). The machine's own
# cluster is left alone: its binaries are used, never its data or its port.
#
#   eval "$(scripts/pg_replica.sh start)"   # exports PG_REPLICA_DIR, PRIMARY_PORT, STANDBY_PORT
#   scripts/pg_replica.sh stop "$PG_REPLICA_DIR"
#
# initdb refuses to run as root: as root, the servers run as the postgres user.
set -euo pipefail

bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -x "$dir/initdb" ] || { echo "no PostgreSQL binaries under /usr/lib/postgresql/*/bin" >&2; exit 1; }
  echo "$dir"
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_ready() {  # port
  for _ in $(seq 1 60); do
    "$BIN/pg_isready" -q -h 127.0.0.1 -p "$1" && return 0
    sleep 0.5
  done
  echo "PostgreSQL on port $1 did not start" >&2
  return 1
}

start() {
  BIN=$(bin_dir)
  local dir primary standby
  dir=$(mktemp -d /tmp/bastion-replica.XXXXXX)
  chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  primary=$(free_port)
  standby=$(free_port)
  while [ "$standby" = "$primary" ]; do standby=$(free_port); done
  {
    as_pg "$BIN/initdb" -D "$dir/primary" -U postgres --auth=trust --no-sync -E UTF8 --locale=C.UTF-8
    cat >>"$dir/primary/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $primary
unix_socket_directories = '$dir'
wal_level = replica
max_wal_senders = 4
hot_standby = on
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 32MB
CONF
    as_pg "$BIN/pg_ctl" -D "$dir/primary" -l "$dir/primary.log" -w -t 60 start
    wait_ready "$primary"
    as_pg "$BIN/pg_basebackup" -h 127.0.0.1 -p "$primary" -U postgres -D "$dir/standby" -R -X stream --no-sync
    cat >>"$dir/standby/postgresql.conf" <<CONF
port = $standby
CONF
    as_pg "$BIN/pg_ctl" -D "$dir/standby" -l "$dir/standby.log" -w -t 60 start
    wait_ready "$standby"
  } >&2
  if [ "$("$BIN/psql" -h 127.0.0.1 -p "$standby" -U postgres -Atc 'SELECT pg_is_in_recovery()' postgres)" != t ]; then
    echo "the standby on port $standby is not in recovery" >&2
    exit 1
  fi
  echo "export PG_REPLICA_DIR=$dir PRIMARY_PORT=$primary STANDBY_PORT=$standby"
}

stop() {
  BIN=$(bin_dir)
  local dir=${1:?the folder start printed}
  case "$dir" in /tmp/bastion-replica.*) ;; *) echo "refusing to stop $dir" >&2; exit 1 ;; esac
  for node in standby primary; do
    [ -f "$dir/$node/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$dir/$node" -m immediate -w stop >&2 || true
  done
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
