/**
 * The sim's admin API (not part of BingX; no signature, loopback only):
 * `GET /_sim/state` → `SimState`; `POST /_sim/faults` with a JSON patch of `SimFaults`;
 * `POST /_sim/price` with `{symbol, price}`; `POST /_sim/out_of_band` with an action
 * (`out_of_band.ts`: a change behind the client's back, no stream event). Bad input answers 400
 * with a sentence.
 */

import { jsonResponse } from "./_http.ts";
import type { SimCore } from "./core.ts";
import { applyFaultPatch } from "./faults.ts";
import { outOfBand } from "./out_of_band.ts";

const ADMIN_BODY_MAX = 16_384;

export async function adminRoute(core: SimCore, req: Request, url: URL): Promise<Response> {
  core.housekeeping();
  if (req.method === "GET" && url.pathname === "/_sim/state") return jsonResponse(200, core.snapshot());
  if (req.method !== "POST") return jsonResponse(404, { error: "unknown admin route" });
  const text = await req.text();
  if (text.length > ADMIN_BODY_MAX) return jsonResponse(400, { error: "body too large" });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return jsonResponse(400, { error: "body must be JSON" });
  }
  if (url.pathname === "/_sim/faults") {
    const problem = applyFaultPatch(core.faults, body);
    return problem ? jsonResponse(400, { error: problem }) : jsonResponse(200, { faults: core.faults });
  }
  if (url.pathname === "/_sim/price") {
    const { symbol, price } = (body ?? {}) as { symbol?: unknown; price?: unknown };
    if (typeof symbol !== "string" || !core.catalog.has(symbol)) return jsonResponse(400, { error: "unknown symbol" });
    if (typeof price !== "number" || !(price > 0) || !(price < 1e12))
      return jsonResponse(400, { error: "price must be a positive number" });
    core.setPrice(symbol, price);
    return jsonResponse(200, { symbol, price });
  }
  if (url.pathname === "/_sim/out_of_band") {
    const r = outOfBand(core, body);
    return r.ok ? jsonResponse(200, { done: r.done }) : jsonResponse(400, { error: r.error });
  }
  return jsonResponse(404, { error: "unknown admin route" });
}
