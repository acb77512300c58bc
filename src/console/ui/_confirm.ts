/**
 * The confirmation every control change passes: it names the key, the value before and after,
 * what will happen, and the exact request; nothing is sent until the operator presses Apply.
 */

import { html } from "./_html.ts";

export interface PendingChange {
  key: string;
  from: string;
  to: unknown;
  effect: string;
}

export function ConfirmDialog(props: {
  change: PendingChange;
  busy: boolean;
  error: string | null;
  onApply: () => void;
  onCancel: () => void;
}) {
  const c = props.change;
  return html`<div class="modal-backdrop">
    <div class="modal" role="dialog" aria-modal="true" aria-labelledby="confirm-title" id="confirm">
      <h3 id="confirm-title">Change ${c.key} from ${c.from} to ${String(c.to)}?</h3>
      <p>${c.effect}</p>
      <p class="muted">Sends <code>POST /control ${JSON.stringify({ [c.key]: c.to })}</code>; the control version goes up by one.</p>
      ${props.error === null ? null : html`<p class="error" id="confirm-error">${props.error}</p>`}
      <div class="actions">
        <button type="button" id="confirm-cancel" onClick=${props.onCancel} disabled=${props.busy}>Cancel</button>
        <button type="button" id="confirm-apply" class="danger" onClick=${props.onApply} disabled=${props.busy}>
          ${props.busy ? "Applying…" : "Apply change"}
        </button>
      </div>
    </div>
  </div>`;
}
