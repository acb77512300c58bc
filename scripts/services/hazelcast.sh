#!/usr/bin/env bash
# Private Hazelcast 5.5.0 member for tests and CI (loopback only, non-default port, own temp dir).
# Source it (`source scripts/services/hazelcast.sh; hz_fetch; hz_start; ...; hz_stop`) or run it
# (`scripts/services/hazelcast.sh start|stop|fetch`; `start` prints `HZ_DIR=... HZ_ADDR=...`).
# Env: HZ_VERSION (5.5.0), HZ_PORT (15701), HZ_CLUSTER (ci), HZ_LIB (<repo>/.cache/hazelcast),
# HZ_DIR (fresh mktemp dir). Verified against a live member here: see src/projection/README.md.
# A member of a cluster: HZ_CONFIG=<a member config such as deploy/hazelcast/hazelcast.yaml>, which
# reads its per-host values from system properties (dita.hz.cluster, .port, .interface = 127.0.0.1,
# .members = HZ_MEMBERS, default this member alone, .lease.quorum = HZ_LEASE_QUORUM, default true
# with three members or more, false below). Start the
# members of one cluster one after the other: each joins the ones already running (TCP-IP join).
# It never stops a process it did not start: hz_stop kills only the PID in $HZ_DIR/member.pid.

_HZ_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$_HZ_REPO/scripts/services/_pidfile.sh"
HZ_VERSION=${HZ_VERSION:-5.5.0}; HZ_PORT=${HZ_PORT:-15701}; HZ_CLUSTER=${HZ_CLUSTER:-ci}
HZ_LIB=${HZ_LIB:-$_HZ_REPO/.cache/hazelcast}; HZ_JAR="$HZ_LIB/hazelcast-$HZ_VERSION.jar"

hz_fetch() {
  [ -s "$HZ_JAR" ] && return 0
  command -v java >/dev/null 2>&1 || { DEBIAN_FRONTEND=noninteractive apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; }
  command -v mvn  >/dev/null 2>&1 || { DEBIAN_FRONTEND=noninteractive apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven >/dev/null; }
  mkdir -p "$HZ_LIB"
  mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
      -Dartifact="com.hazelcast:hazelcast:$HZ_VERSION" -DoutputDirectory="$HZ_LIB" \
    || { echo "could not fetch com.hazelcast:hazelcast:$HZ_VERSION" >&2; return 1; }
  [ -s "$HZ_JAR" ]
}

_hz_yaml() {
  cat <<YAML
hazelcast:
  cluster-name: $HZ_CLUSTER
  properties:
    hazelcast.phone.home.enabled: false
    hazelcast.socket.bind.any: false
    hazelcast.wait.seconds.before.join: 0
    hazelcast.shutdownhook.policy: TERMINATE
  network:
    port:
      port: $HZ_PORT
      auto-increment: false
    interfaces:
      enabled: true
      interfaces:
        - 127.0.0.1
    join:
      auto-detection:
        enabled: false
      multicast:
        enabled: false
      tcp-ip:
        enabled: true
        member-list:
          - 127.0.0.1:$HZ_PORT
    rest-api:
      enabled: true
      endpoint-groups:
        HEALTH_CHECK:
          enabled: true
YAML
}

hz_start() {
  hz_fetch || return 1
  if (exec 3<>"/dev/tcp/127.0.0.1/$HZ_PORT") 2>/dev/null; then echo "port $HZ_PORT already in use" >&2; return 1; fi
  HZ_DIR=${HZ_DIR:-$(mktemp -d /tmp/hz-test.XXXXXX)}
  mkdir -p "$HZ_DIR"
  local config="$HZ_DIR/hazelcast.yaml"
  if [ -n "${HZ_CONFIG:-}" ]; then
    [ -s "$HZ_CONFIG" ] || { echo "HZ_CONFIG $HZ_CONFIG is not a readable file" >&2; return 1; }
    config=$(cd "$(dirname "$HZ_CONFIG")" && pwd)/$(basename "$HZ_CONFIG")
  else
    _hz_yaml > "$config"
  fi
  local members=${HZ_MEMBERS:-127.0.0.1:$HZ_PORT} quorum=${HZ_LEASE_QUORUM:-}
  if [ -z "$quorum" ]; then
    quorum=false; [ "$(echo "$members" | tr ',' '\n' | wc -l)" -ge 3 ] && quorum=true
  fi
  # Hazelcast reads every HZ_* environment variable as a config override (HZ_PORT -> hazelcast.port,
  # seen in the member log as "Unrecognized environment variables configuration entries"), so the
  # member gets an environment without our HZ_* variables.
  local -a unset_hz=(); local v
  for v in $(compgen -e | grep '^HZ_' || true); do unset_hz+=(-u "$v"); done
  env "${unset_hz[@]}" HZ_PHONE_HOME_ENABLED=false java -Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    --add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED \
    --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
    --add-opens java.management/sun.management=ALL-UNNAMED --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED \
    -Djava.net.preferIPv4Stack=true -Dhazelcast.local.localAddress=127.0.0.1 \
    -Ddita.hz.cluster="$HZ_CLUSTER" -Ddita.hz.port="$HZ_PORT" -Ddita.hz.interface=127.0.0.1 \
    -Ddita.hz.members="$members" -Ddita.hz.lease.quorum="$quorum" \
    -Dhazelcast.config="$config" \
    -cp "$HZ_JAR" com.hazelcast.core.server.HazelcastMemberStarter >"$HZ_DIR/member.log" 2>&1 &
  echo $! > "$HZ_DIR/member.pid"
  for _ in $(seq 1 600); do                                  # up to 60 s
    if curl -fsS "http://127.0.0.1:$HZ_PORT/hazelcast/health/ready" >/dev/null 2>&1; then
      export HZ_DIR HZ_ADDR="127.0.0.1:$HZ_PORT"; return 0
    fi
    kill -0 "$(cat "$HZ_DIR/member.pid")" 2>/dev/null || break   # died early
    sleep 0.1
  done
  echo "Hazelcast member not ready" >&2; tail -n 40 "$HZ_DIR/member.log" >&2; hz_stop; return 1
}

hz_stop() {
  stop_pidfile "${HZ_DIR:-}/member.pid" 200   # up to 20 s, then KILL
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -u
  case "${1:-}" in
    fetch) hz_fetch ;;
    start) hz_start && echo "HZ_DIR=$HZ_DIR HZ_ADDR=$HZ_ADDR" ;;
    stop)  hz_stop ;;
    *) echo "usage: $0 fetch|start|stop   (stop needs HZ_DIR)" >&2; exit 2 ;;
  esac
fi
