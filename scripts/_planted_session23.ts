/** Planted bugs fixed in the twenty-third session (2026-12-07): the signer's hasher, the live smoke's precheck, the local sink's seals, paper-config checks. */

import { p } from "./_planted_plant.ts";
import type { Plant } from "./_planted_sample.ts";

export const SESSION23_PLANTS: readonly Plant[] = [
  p(
    "signer-hasher-unkeyed",
    "signer",
    "src/venue/bingx/signer.ts",
    'new Bun.CryptoHasher("sha256", secret)',
    'new Bun.CryptoHasher("sha256").update(secret)',
    "the signature is a plain SHA-256 of secret and payload, not an HMAC: BingX refuses every signed request",
  ),
  p(
    "smoke-precheck-missing-conf-passes",
    "control",
    "src/launcher/smoke.ts",
    "  if (!exists(opts.conf))",
    "  if (!exists(opts.conf) && exists(''))",
    "a live smoke run outside the project directory passes the precheck while dolphin:dita_v2 trades the account",
  ),
  p(
    "local-seal-no-carry-over",
    "spool",
    "src/projection/_local_compact.ts",
    "(put) => keptFrames(fd, size, latestAt, put, false),",
    "(_put) => {},",
    "a sealed file takes the latest map writes with it: once it is deleted, keys written before it have no value",
  ),
  p(
    "local-seal-number-reused",
    "spool",
    "src/projection/_local_seal.ts",
    "    const held = indicesIn(this.dir);",
    "    const held: number[] = [];",
    "after a restart the first seal overwrites sealed file 1: rows kept on disk are lost",
  ),
  p(
    "local-seal-prunes-newest",
    "spool",
    "src/projection/_local_seal.ts",
    "this.held.shift();",
    "this.held.pop();",
    "retention deletes the newest sealed history instead of the oldest: a gap in the rows kept",
  ),
  p(
    "local-seal-failed-move-taken",
    "spool",
    "src/projection/local.ts",
    "if (existsSync(this.address) || !existsSync(path)) throw e;",
    "if (!existsSync(this.address) && existsSync(path)) throw e;",
    "a seal whose move failed is taken as done and one that worked as failed: the file is reopened over rows not sealed, or sealed files are not counted",
  ),
  p(
    "local-seal-failure-thrown",
    "spool",
    "src/projection/local.ts",
    "      this.seal(size);\n    } catch (e) {\n",
    "      this.seal(size);\n    } catch (e) {\n      if (size > 0) throw e;\n",
    "a seal that fails throws out of the write that triggered it: the stored batch is sent again, its rows stored twice",
  ),
  p(
    "local-sealed-bytes-not-pruned",
    "spool",
    "src/projection/_local_seal.ts",
    "      this.heldBytes -= bytes;\n",
    "",
    "GET /status keeps counting the bytes of sealed files retention deleted: the local history looks larger than it is",
  ),
  p(
    "local-sealed-stats-dropped",
    "spool",
    "src/projection/outbox.ts",
    "      sealed: this.sink.sealedFiles?.() ?? null,",
    "      sealed: null,",
    "GET /status says nothing of the local sink's sealed files: an operator cannot see how much history it keeps",
  ),
  p(
    "bingx-tuning-mock-unchecked",
    "control",
    "src/launcher/config.ts",
    "  if (tuning !== null) throw",
    "  if (tuning !== null && env.DITA_V2_VENUE === 'BINGX') throw",
    "a paper (MOCK) configuration starts with a rate margin or IP share the same configuration refuses once switched to BINGX",
  ),
];
