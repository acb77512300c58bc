/**
 * The confirmation every change passes: a title naming what changes (the key and the values before
 * and after, or the action), what will happen, and the exact request; nothing is sent until the
 * operator presses the apply button. While the request runs the buttons are disabled; a refusal
 * is shown in the dialog and nothing is retried behind the operator's back.
 */

import { useState } from "preact/hooks";
import { html } from "./_html.ts";

export interface PendingAction {
  /** The question, e.g. "Change verbosity from QUIET to TRACE?". */
  title: string;
  /** What will happen, in full sentences. */
  effect: string;
  /** The exact request, e.g. `POST /control {"verbosity":"TRACE"}`. */
  request: string;
  /** What the request does to the control version, or how long it may take. */
  note: string;
  applyLabel: string;
  busyLabel: string;
}

export function ConfirmDialog(props: {
  action: PendingAction;
  busy: boolean;
  error: string | null;
  onApply: () => void;
  onCancel: () => void;
}) {
  const a = props.action;
  return html`<div class="modal-backdrop">
    <div class="modal" role="dialog" aria-modal="true" aria-labelledby="confirm-title" id="confirm">
      <h3 id="confirm-title">${a.title}</h3>
      <p id="confirm-effect">${a.effect}</p>
      <p class="muted">Sends <code>${a.request}</code>; ${a.note}</p>
      ${props.error === null ? null : html`<p class="error" id="confirm-error">${props.error}</p>`}
      <div class="actions">
        <button type="button" id="confirm-cancel" onClick=${props.onCancel} disabled=${props.busy}>Cancel</button>
        <button type="button" id="confirm-apply" class="danger" onClick=${props.onApply} disabled=${props.busy}>
          ${props.busy ? a.busyLabel : a.applyLabel}
        </button>
      </div>
    </div>
  </div>`;
}

/** The confirmation of one control key change. */
export function controlChange(key: string, from: string, to: unknown, effect: string): PendingAction {
  return {
    title: `Change ${key} from ${from} to ${String(to)}?`,
    effect,
    request: `POST /control ${JSON.stringify({ [key]: to })}`,
    note: "the control version goes up by one.",
    applyLabel: "Apply change",
    busyLabel: "Applying…",
  };
}

/**
 * A confirmation's state for one panel: `ask(action, run)` opens the dialog; Apply calls `run`,
 * which answers null when done (the dialog closes) or the error to show (the dialog stays).
 */
export function useConfirm() {
  const [pending, setPending] = useState<{ action: PendingAction; run: () => Promise<string | null> } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ask = (action: PendingAction, run: () => Promise<string | null>) => {
    setError(null);
    setPending({ action, run });
  };
  const apply = async () => {
    if (pending === null) return;
    setBusy(true);
    const failed = await pending.run();
    setBusy(false);
    if (failed === null) setPending(null);
    else setError(failed);
  };
  const dialog =
    pending === null
      ? null
      : html`<${ConfirmDialog} action=${pending.action} busy=${busy} error=${error} onApply=${apply} onCancel=${() => setPending(null)} />`;
  return { ask, dialog };
}
