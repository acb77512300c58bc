/**
 * Hazelcast client construction with every timeout set (the client's defaults hang for ever:
 * connect retries without end, invocations wait 120 s). Reconnect mode ASYNC makes calls fail fast
 * while the member is away, so the outbox spools instead of hanging.
 *
 * `addr` is one member or a comma-separated list (`hazelcastMembers`); the client starts from any
 * listed member that answers, learns the whole cluster from it and, with smart routing, keeps a
 * connection to every member and sends each key's call straight to the member that owns the key's
 * partition. A member that dies takes only its own connection: calls on its partitions fail fast until
 * the cluster promotes their backups (about a second on loopback), and the outbox retries them. Map values are read back as raw
 * JSON (NO_DESERIALIZATION) so compare-and-set compares the exact stored bytes. Optional
 * username/password credentials (DITA_V2_HAZELCAST_USER/PASSWORD) go to the member at authentication;
 * `onLifecycle` hears CONNECTED / DISCONNECTED / CHANGED_CLUSTER (a reconnect to a new cluster).
 */
import type { Client, HazelcastJsonValue, LifecycleState, TopicOverloadPolicy } from "hazelcast-client";
import { hazelcastLib, loadedHazelcastLib } from "./_libs.ts";

export interface HazelcastConfig {
  addr: string;
  cluster: string;
  /** Username/password credentials, both or neither (the member checks them when its security is on). */
  user?: string;
  password?: string;
  connectTimeoutMs?: number;
  invocationTimeoutMs?: number;
}

export type HzClient = Awaited<ReturnType<typeof Client.newHazelcastClient>>;

/** The members of `addr` ("host:port" or "host:port,host:port,..."); throws on a malformed entry. */
export function hazelcastMembers(addr: string): string[] {
  const members = addr.split(",").map((m) => m.trim());
  for (const m of members)
    if (!/^[A-Za-z0-9.-]{1,253}:\d{1,5}$/.test(m))
      throw new Error(
        `Condition failed: Hazelcast member must be host:port, got ${JSON.stringify(m)} in ${JSON.stringify(addr)}`,
      );
  return members;
}

export async function newHzClient(
  cfg: HazelcastConfig,
  raw: boolean,
  topics: readonly string[] = [],
  onLifecycle?: (state: LifecycleState) => void,
): Promise<HzClient> {
  const { Client, JsonStringDeserializationPolicy, ReconnectMode, TopicOverloadPolicy } = await hazelcastLib();
  const reliableTopics: Record<string, { overloadPolicy: TopicOverloadPolicy }> = {};
  for (const t of topics) reliableTopics[t] = { overloadPolicy: TopicOverloadPolicy.DISCARD_OLDEST };
  return Client.newHazelcastClient({
    clusterName: cfg.cluster,
    network: { clusterMembers: hazelcastMembers(cfg.addr), smartRouting: true, connectionTimeout: 2_000 },
    connectionStrategy: {
      asyncStart: false,
      reconnectMode: ReconnectMode.ASYNC,
      connectionRetry: {
        clusterConnectTimeoutMillis: cfg.connectTimeoutMs ?? 5_000,
        initialBackoffMillis: 200,
        maxBackoffMillis: 1_000,
        multiplier: 1.5,
      },
    },
    serialization: raw ? { jsonStringDeserializationPolicy: JsonStringDeserializationPolicy.NO_DESERIALIZATION } : {},
    reliableTopics,
    ...(cfg.user !== undefined && cfg.password !== undefined
      ? { security: { usernamePassword: { username: cfg.user, password: cfg.password } } }
      : {}),
    ...(onLifecycle !== undefined ? { lifecycleListeners: [onLifecycle] } : {}),
    properties: {
      "hazelcast.client.invocation.timeout.millis": cfg.invocationTimeoutMs ?? 5_000,
      "hazelcast.client.heartbeat.timeout": 10_000,
      "hazelcast.logging.level": "OFF",
    },
  });
}

/** True while the client can still be used (it shuts itself down after a long outage). */
export function hzRunning(c: HzClient | null): c is HzClient {
  return c?.getLifecycleService().isRunning() === true;
}

/** A JSON value to store (the library is loaded: call it only once a client exists). */
export function jsonValue(value: Record<string, unknown>): HazelcastJsonValue {
  return new (loadedHazelcastLib().HazelcastJsonValue)(JSON.stringify(value));
}
