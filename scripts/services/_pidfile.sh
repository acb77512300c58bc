#!/usr/bin/env bash
# Sourced by the service scripts: stops exactly the process a pid file names.
#   stop_pidfile FILE TENTHS   TERM, wait up to TENTHS tenths of a second, then KILL; remove FILE.
# A missing FILE means nothing was started: it returns 0 and touches nothing.

stop_pidfile() {
  local file=$1 tenths=$2 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 "$tenths"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  rm -f "$file"
}
