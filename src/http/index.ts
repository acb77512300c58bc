/** Public surface of the HTTP layer. */
export { type AppOptions, createHttp, type HttpServer } from "./app.ts";
export { type EventStreams, type HttpDeps, IntakeClosedError, type StaticAsset } from "./deps.ts";
export { CONTENT_SECURITY_POLICY, isLoopbackHost } from "./guard.ts";
