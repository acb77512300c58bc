/**
 * HTTP helpers shared by the router and handlers: the handler context, `RawAnswer` for the few
 * endpoints that answer outside the `{code,msg,data}` envelope (listen keys), and response
 * builders that write exact JSON text (see `_json.ts`).
 */

import { toJsonText } from "./_json.ts";
import type { SimCore } from "./core.ts";
import type { Params } from "./params.ts";

export interface Ctx {
  core: SimCore;
  req: Request;
  p: Params;
}

export class RawAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

export type Handler = (ctx: Ctx) => unknown;

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(toJsonText(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

export function envelope(data: unknown): Response {
  return jsonResponse(200, { code: 0, msg: "", data });
}

export function errorEnvelope(
  status: number,
  code: number,
  msg: string,
  headers: Record<string, string> = {},
): Response {
  return jsonResponse(status, { code, msg, data: {} }, headers);
}
