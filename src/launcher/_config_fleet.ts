/**
 * The cluster side of the configuration: DITA_V2_HAZELCAST_ADDR as a list of members and the fleet
 * heartbeat's DITA_V2_FLEET_TTL_MS. Parsed once here; a bad entry fails the start with one
 * `ConfigError` line naming the variable, the entry's position and what was given.
 *
 * The member list is kept as one canonical string (`host:port,host:port`, trimmed, in the given
 * order): that is what every Hazelcast client of the process is handed (`HazelcastConfig.addr`,
 * split again by `hazelcastMembers` in src/projection/hz_client.ts, which asserts the same rule).
 *
 * Entry points: `hazelcastAddr(env)`, `fleetTtlMs(env)`.
 */

import { ConfigError } from "./_config_error.ts";

type Env = Record<string, string | undefined>;

/** At most this many members in DITA_V2_HAZELCAST_ADDR (the client tries each one at start). */
export const MEMBERS_MAX = 16;
export const FLEET_TTL_MIN_MS = 3_000;
export const FLEET_TTL_MAX_MS = 600_000;
export const FLEET_TTL_DEFAULT_MS = 15_000;

const MEMBER_RE = /^([A-Za-z0-9.-]{1,253}):(\d{1,5})$/;

export function hazelcastAddr(env: Env): string {
  const name = "DITA_V2_HAZELCAST_ADDR";
  const raw = env[name];
  if (raw === undefined || raw === "") return "127.0.0.1:5701";
  const entries = raw.split(",").map((e) => e.trim());
  if (entries.length > MEMBERS_MAX)
    throw new ConfigError(name, `at most ${MEMBERS_MAX} members (host:port,host:port,...), got ${entries.length}`);
  const seen = new Set<string>();
  entries.forEach((entry, i) => {
    const m = MEMBER_RE.exec(entry);
    const port = Number(m?.[2] ?? 0);
    if (m === null || port < 1 || port > 65535)
      throw new ConfigError(
        name,
        `member ${i + 1} of ${entries.length} must be host:port (port 1..65535), got '${entry}' in '${raw}'`,
      );
    if (seen.has(entry)) throw new ConfigError(name, `member ${i + 1} '${entry}' is listed twice in '${raw}'`);
    seen.add(entry);
  });
  return entries.join(",");
}

/** The fleet entry's time to live; the heartbeat runs every third of it (src/fleet/README.md). */
export function fleetTtlMs(env: Env): number {
  const name = "DITA_V2_FLEET_TTL_MS";
  const raw = env[name];
  if (raw === undefined || raw === "") return FLEET_TTL_DEFAULT_MS;
  const n = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || n < FLEET_TTL_MIN_MS || n > FLEET_TTL_MAX_MS)
    throw new ConfigError(
      name,
      `must be an integer ${FLEET_TTL_MIN_MS}..${FLEET_TTL_MAX_MS} (ms; the heartbeat runs every third of it), got '${raw}'`,
    );
  return n;
}
