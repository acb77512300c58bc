#!/usr/bin/env bash
# Private supervisord 4.2.5 for tests and CI (own socket and temp dir; never the system one).
# Source it (`source scripts/services/supervisor.sh; sv_start; sv_ctl status dolphin:dita_v2; sv_stop`)
# or run it (`scripts/services/supervisor.sh start|stop`; `start` prints `SV_DIR=...`).
# Env: SV_DIR (fresh mktemp dir), SV_COMMAND (the program, default `/bin/sleep 86400`).
# Always pass -c to supervisorctl (sv_ctl does). Never SIGKILL supervisord: its children survive.
# The install and start steps are in this file; docs/operator-playbook.md covers operating it.

sv_install() {
  command -v supervisord >/dev/null 2>&1 && return 0
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq supervisor >/dev/null
}

_sv_conf() {
  cat <<CONF
[unix_http_server]
file=$SV_DIR/supervisor.sock
chmod=0700

[supervisord]
logfile=$SV_DIR/supervisord.log
logfile_backups=0
pidfile=$SV_DIR/supervisord.pid
childlogdir=$SV_DIR
nodaemon=false

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$SV_DIR/supervisor.sock

[program:dita_v2]
command=${SV_COMMAND:-/bin/sleep 86400}
autostart=true
autorestart=true
startsecs=1
stopsignal=TERM
stopwaitsecs=5
stopasgroup=true
killasgroup=true
environment=APP_ENV="test",DATA_DIR="$SV_DIR/data"
stdout_logfile=$SV_DIR/dita_v2.out.log
stderr_logfile=$SV_DIR/dita_v2.err.log

[group:dolphin]
programs=dita_v2
CONF
}

sv_ctl() { supervisorctl -c "$SV_DIR/supervisord.conf" "$@"; }

sv_start() {
  sv_install || { echo "could not install supervisor" >&2; return 1; }
  SV_DIR=${SV_DIR:-$(mktemp -d /tmp/sv-test.XXXXXX)}
  mkdir -p "$SV_DIR/data"
  _sv_conf > "$SV_DIR/supervisord.conf"
  supervisord -c "$SV_DIR/supervisord.conf" || return 1      # rc 2: bad config or socket in use
  for _ in $(seq 1 100); do                                   # up to 10 s
    sv_ctl status dolphin:dita_v2 2>/dev/null | grep -q RUNNING && { export SV_DIR; return 0; }
    sleep 0.1
  done
  echo "dolphin:dita_v2 not RUNNING" >&2; tail -n 20 "$SV_DIR/supervisord.log" >&2; sv_stop; return 1
}

sv_stop() {
  [ -f "${SV_DIR:-}/supervisord.pid" ] || return 0
  local pid; pid=$(cat "$SV_DIR/supervisord.pid")
  sv_ctl shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done   # up to 30 s
  echo "supervisord $pid did not exit" >&2; return 1
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -u
  case "${1:-}" in
    install) sv_install ;;
    start) sv_start && echo "SV_DIR=$SV_DIR" ;;
    stop)  sv_stop ;;
    *) echo "usage: $0 install|start|stop   (stop needs SV_DIR)" >&2; exit 2 ;;
  esac
fi
