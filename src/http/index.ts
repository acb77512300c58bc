/** Public surface of the HTTP layer. */
export { createApp, BODY_LIMIT_BYTES } from "./app.ts";
export { IntakeClosedError, type HttpDeps } from "./deps.ts";
