#!/usr/bin/env bash
# supervisorctl.sh dita_v2 status|start|stop|restart|tail [--stderr]
# Operates dolphin:dita_v2 through the private supervisord of dolphin-supervisord.conf, with the
# exit codes of `dita-v2 ctl` (README): status 0 RUNNING, 3 not running, 4 supervisord unreachable.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ "${1:-}" != "dita_v2" ] || [ -z "${2:-}" ]; then
  echo "usage: $0 dita_v2 status|start|stop|restart|tail [--stderr]" >&2
  exit 2
fi
exe="${DITA_V2_EXE:-$here/../dist/dita-v2}"
[ -x "$exe" ] || { echo "$exe not found: run 'npm run build' first" >&2; exit 4; }
shift
exec "$exe" ctl "$@" --conf "$here/dolphin-supervisord.conf"
