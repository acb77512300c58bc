/** Public surface of the HTTP layer. */
export { type AppOptions, BODY_LIMIT_BYTES, createApp } from "./app.ts";
export { type EventStreams, type HttpDeps, IntakeClosedError, type StaticAsset } from "./deps.ts";
export { CONTENT_SECURITY_POLICY, isLoopbackHost } from "./guard.ts";
