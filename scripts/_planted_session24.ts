/** Planted bugs fixed in the twenty-fourth session (2026-12-07): the local spool's reader (`dita-v2 spool`). */

import { p } from "./_planted_plant.ts";
import type { Plant } from "./_planted_sample.ts";

export const SESSION24_PLANTS: readonly Plant[] = [
  p(
    "local-read-seal-race-unseen",
    "spool",
    "src/projection/local_read.ts",
    "generationOf(p) >= generation",
    "generationOf(p) > generation",
    "a seal between the reads goes unseen: `dita-v2 spool` prints a sealed file's rows twice",
  ),
  p(
    "local-read-one-window",
    "spool",
    "src/projection/local_read.ts",
    "    if (scan.consumed === 0) break;",
    "    break;",
    "only the first 4096 frames of each file are read: an export silently drops the rest",
  ),
  p(
    "spool-export-kind-filter-ignored",
    "spool",
    "src/cli/spool.ts",
    "    if (kinds !== null && !kinds.has(v.kind as Kind)) return;",
    "    if (kinds !== null && kinds.size === 0) return;",
    "`--export rows --kind trade_event` prints every record's row: diagnostics loaded into trade_events",
  ),
  p(
    "bingx-80012-read-as-refusal",
    "venue",
    "src/venue/bingx/errors.ts",
    "new Set([100500, 101500, 80019, 80012]);",
    "new Set([100500, 101500, 80019]);",
    "a placement answered 80012 that the venue executed is REJECTED: the slot goes IDLE, the order rests unmanaged",
  ),
  p(
    "intent-json-rewritten",
    "control",
    "src/cli/intent.ts",
    "  return text;\n}",
    "  return JSON.stringify(parsed);\n}",
    "`intent json` writes the body again: price 1e999 becomes null, a MARKET order; a duplicate key keeps its last value",
  ),
  p(
    "cli-url-query-taken",
    "control",
    "src/cli/_client.ts",
    'if (parsed.search !== "" || parsed.hash !== "" || /[?#]/.test(url))',
    "if (false)",
    "`--url http://h:p?` sends /health to the console page: healthcheck says healthy for a kernel answering 503",
  ),
  p(
    "healthcheck-any-200",
    "control",
    "src/cli/status.ts",
    'const healthy = r.status === 200 && body.status === "ok";',
    "const healthy = r.status === 200;",
    "any 200 on the port (another server, a page) reads as a healthy kernel",
  ),
  p(
    "blank-identity-defaults",
    "control",
    "src/launcher/config.ts",
    "  refuseBlankIdentity(env);\n",
    "",
    "DITA_V2_STATE_DIR= starts a fresh kernel beside the real journal; a blank port sends a flatten to the local serve",
  ),
  p(
    "limit-price-below-tick-passes-edge",
    "control",
    "src/launcher/_size_rules.ts",
    'if (check.ok || check.rule !== "INVALID_PRICE") return null;',
    "return null;",
    "a BUY limit below one tick is accepted by the kernel, then refused by the adapter: the trade id spent, 'accepted' heard",
  ),
  p(
    "http-unreadable-body-internal-500",
    "control",
    "src/http/_body.ts",
    '      return c.json({ error: "could not read the request body" }, 400);\n    }\n    if (size > maxBytes)',
    "      throw e;\n    }\n    if (size > maxBytes)",
    "a client's cut-off body on /control is logged as serve's own 500 and answered without JSON",
  ),
];
