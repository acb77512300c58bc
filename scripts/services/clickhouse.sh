#!/usr/bin/env bash
# Private ClickHouse 18.16 server for tests and CI (loopback only, non-default ports, own temp dir).
# Source it (`source scripts/services/clickhouse.sh; ch_start; ...; ch_stop`) or run it
# (`scripts/services/clickhouse.sh start|stop`; `start` prints `CH_DIR=... CH_URL=...`).
# Env: CH_HTTP_PORT (18123), CH_TCP_PORT (19000), CH_DIR (fresh mktemp dir). Exports CH_URL.
# CH_USER and CH_PASSWORD (optional, both): a second user that needs that password (tests of URLs
# with credentials); its password is written only into $CH_DIR/users.xml.
# No interserver port is configured (9009 may be taken). ch_stop kills only $CH_DIR/server.pid,
# never a system ClickHouse (the install and start steps are in this file; docs/operator-playbook.md covers operating it).

source "$(dirname "${BASH_SOURCE[0]}")/_pidfile.sh"

ch_install() {
  command -v clickhouse-server >/dev/null 2>&1 && return 0
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clickhouse-server clickhouse-client >/dev/null
}

_ch_config() {
  cat <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$CH_DIR/log/server.log</log><errorlog>$CH_DIR/log/server.err.log</errorlog><size>50M</size><count>1</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$CH_HTTP_PORT</http_port>
  <tcp_port>$CH_TCP_PORT</tcp_port>
  <path>$CH_DIR/data/</path>
  <tmp_path>$CH_DIR/data/tmp/</tmp_path>
  <user_files_path>$CH_DIR/data/user_files/</user_files_path>
  <format_schema_path>$CH_DIR/data/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <keep_alive_timeout>3</keep_alive_timeout>
</yandex>
XML
}

_ch_users() {
  local extra=""
  if [ -n "${CH_USER:-}" ] && [ -n "${CH_PASSWORD:-}" ]; then
    extra="<${CH_USER}><password>${CH_PASSWORD}</password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></${CH_USER}>"
  fi
  cat <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default>${extra}</users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
}

ch_start() {
  CH_HTTP_PORT=${CH_HTTP_PORT:-18123}; CH_TCP_PORT=${CH_TCP_PORT:-19000}
  ch_install || { echo "could not install clickhouse-server" >&2; return 1; }
  local p
  for p in "$CH_HTTP_PORT" "$CH_TCP_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "port $p already in use" >&2; return 1; fi
  done
  CH_DIR=${CH_DIR:-$(mktemp -d /tmp/ch-test.XXXXXX)}
  mkdir -p "$CH_DIR/data" "$CH_DIR/log"
  _ch_config > "$CH_DIR/config.xml"
  _ch_users > "$CH_DIR/users.xml"
  clickhouse-server --config-file="$CH_DIR/config.xml" >"$CH_DIR/log/stdout.log" 2>&1 &
  echo $! > "$CH_DIR/server.pid"
  for _ in $(seq 1 300); do                                   # up to 30 s
    if curl -fsS "http://127.0.0.1:$CH_HTTP_PORT/ping" 2>/dev/null | grep -q '^Ok'; then
      export CH_URL="http://127.0.0.1:$CH_HTTP_PORT" CH_DIR; return 0
    fi
    kill -0 "$(cat "$CH_DIR/server.pid")" 2>/dev/null || break   # died early
    sleep 0.1
  done
  echo "ClickHouse not ready" >&2; tail -n 30 "$CH_DIR/log/stdout.log" "$CH_DIR/log/server.err.log" >&2 2>/dev/null
  ch_stop; return 1
}

ch_stop() {
  stop_pidfile "${CH_DIR:-}/server.pid" 150   # up to 15 s, then KILL
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -u
  case "${1:-}" in
    install) ch_install ;;
    start) ch_start && echo "CH_DIR=$CH_DIR CH_URL=$CH_URL" ;;
    stop)  ch_stop ;;
    *) echo "usage: $0 install|start|stop   (stop needs CH_DIR)" >&2; exit 2 ;;
  esac
fi
