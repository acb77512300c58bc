#!/bin/sh
# run-strategy.sh NAMESPACE: one strategy's kernel, as supervisord starts it (deploy/README.md).
# Reads $DITA_V2_ENV_DIR/NAMESPACE.env (default <checkout>/.dita-v2/fleet/env): KEY=value lines with
# this strategy's settings and secrets (its BingX account's keys, the cluster, ClickHouse, its HTTP
# port). The file must be readable by its owner only (mode 600 or 400). Then it sets
# DITA_V2_STRATEGY=NAMESPACE, a state dir of its own unless the file names one, and replaces itself
# with `dita-v2 serve`, so supervisord's signals reach the kernel itself. The state dir and the Zinc
# prefix are the file's or the namespace's, never supervisord's environment: every program inherits
# that, and one exported there (to point the CLI at a strategy's token) gave every kernel one
# journal and one set of regions.
set -eu
ns=${1:-}
case "$ns" in
  [a-z]*) ;;
  *) echo "usage: run-strategy.sh NAMESPACE ([a-z][a-z0-9_]*)" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=${DITA_V2_ENV_DIR:-$root/.dita-v2/fleet/env}
file="$dir/$ns.env"
if [ ! -r "$file" ]; then echo "run-strategy: $file not found (one env file per strategy)" >&2; exit 2; fi
case "$(stat -c %a "$file")" in
  600|400) ;;
  *) echo "run-strategy: $file is readable by others (mode $(stat -c %a "$file")): chmod 600 it" >&2; exit 2 ;;
esac
unset DITA_V2_STATE_DIR DITA_V2_ZINC_PREFIX
# KEY=value lines, each value as written (a password with $, & or ; included: the file is not run
# as shell code); blank lines and # comments skipped, an optional `export `, one pair of quotes
# around a value removed, a CR at the end of a line dropped. Any other line is refused by its
# number only: it may hold a secret, and supervisord keeps this stderr in a log.
cr=$(printf '\r')
n=0
while IFS= read -r line || [ -n "$line" ]; do
  n=$((n + 1))
  line=${line%"$cr"}
  line=${line#"${line%%[![:space:]]*}"}
  case "$line" in '' | '#'*) continue ;; 'export '*) line=${line#export } ;; esac
  key=${line%%=*}
  case "$key" in
    "$line" | '' | [!A-Za-z_]* | *[!A-Za-z0-9_]*)
      echo "run-strategy: $file line $n is not KEY=value (its text not shown)" >&2
      exit 2
      ;;
  esac
  value=${line#*=}
  case "$value" in
    \"*\") value=${value#\"} && value=${value%\"} ;;
    \'*\') value=${value#\'} && value=${value%\'} ;;
  esac
  export "$key=$value"
done <"$file"
export DITA_V2_STRATEGY="$ns"
export DITA_V2_STATE_DIR="${DITA_V2_STATE_DIR:-$root/.dita-v2/fleet/$ns}"
# Everything the kernel creates is its owner's alone (the state dir: the desk's trading history),
# whatever supervisord's umask.
umask 077
exec "${DITA_V2_EXE:-$root/dist/dita-v2}" serve
