/** Public surface of the HTTP layer. */
export { BODY_LIMIT_BYTES, createApp } from "./app.ts";
export { type HttpDeps, IntakeClosedError } from "./deps.ts";
