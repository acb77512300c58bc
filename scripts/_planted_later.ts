/** Planted bugs at the edges fixed on 2026-12-06 (second sweep): placement, edge rules, lease, journal, libzinc. */

import { p } from "./_planted_plant.ts";
import type { Plant } from "./_planted_sample.ts";

export const LATER_SWEEP_PLANTS: readonly Plant[] = [
  p(
    "code0-resent",
    "venue",
    "src/venue/bingx/_submit.ts",
    "      acceptedWithoutId = true;\n",
    "\n",
    "a placement the venue accepted without a readable id is sent again: two orders rest, the position doubles",
  ),
  p(
    "not-trading-passes-edge",
    "control",
    "src/launcher/_size_rules.ts",
    "if (rules.not_trading !== undefined && !closesPosition) {",
    "if (rules.not_trading !== undefined && closesPosition) {",
    "an ENTER on a halted contract reaches the kernel and moves a slot, then fails at the adapter",
  ),
  p(
    "lease-late-grant-held",
    "fleet",
    "src/fleet/lease.ts",
    "        void locking.then((ok) => (ok ? m.unlock(this.key) : undefined)).catch(() => {});\n",
    "\n",
    "a renewal lock granted late stays held by this kernel's next renewals: the key stays locked",
  ),
  p(
    "rotation-old-segment-unsynced",
    "journal",
    "src/kernel/segment_writer.ts",
    '    refusedAs("fsync", oldPath, () => this.fs.fsyncSync(old));\n',
    "\n",
    "a rotation's new snapshot can outlive the old segment's tail at a power loss",
  ),
  p(
    "seq-word-as-signed",
    "libzinc",
    "ffi/src/internal.h",
    "return seq_word_bad(w) ? ZINC_E_CORRUPT : (int64_t)w;",
    "return (int64_t)w;",
    "a stray sequence word >= 2^63 reads as an error code or a negative sequence a client takes as new",
  ),
  p(
    "start-skips-crashed-segment",
    "journal",
    "src/kernel/_segment_files.ts",
    'if (n?.kind === "segment" && n.index < index && (newest === null || n.index > newest.index))',
    'if (n?.kind === "segment" && n.index < index - 1 && (newest === null || n.index > newest.index))',
    "a start's snapshot can outlive the crashed run's unsynced last segment at a power loss",
  ),
  p(
    "mock-maker-as-taker",
    "venue",
    "src/venue/mock/mock_adapter.ts",
    "order.request.price as number, true)",
    "order.request.price as number, false)",
    "a resting limit the mock fills later pays the taker fee: paper fees and PnL off the venue's",
  ),
  p(
    "recovery-closed-first",
    "recovery",
    "src/launcher/recovery.ts",
    "order.sort((a, b) => ended(a) - ended(b) || a - b);",
    "order.sort((a, b) => a - b);",
    "a stale CLOSED image restored before the active one on its trade id: the open position becomes an orphan",
  ),
  p(
    "close-all-no-second-step",
    "zinc",
    "clients/typescript/_seam_close.ts",
    'const left = slots.filter((s) => cancelled.has(s.slotId) && s.stage === "POSITION_OPEN");',
    "const left: Slot[] = [];",
    "close all leaves open what a cancelled entry had filled, and says ok",
  ),
  p(
    "ctl-start-over-other-env",
    "control",
    "src/launcher/supervisor.ts",
    "if (differing !== null && differing.length > 0) {",
    "if (differing !== null && differing.length > 99) {",
    "ctl start asked for a paper run starts the live program supervisord already holds",
  ),
];
