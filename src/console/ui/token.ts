/**
 * The operator token: entered once, checked by the server before it is kept (a request that
 * presents a token is refused when the token is wrong), then kept in sessionStorage only.
 */

import { useState } from "preact/hooks";
import { api, storeToken } from "./_api.ts";
import { html } from "./_html.ts";
import { tokenChanged } from "./_sync.ts";

export function TokenBox({ hasToken }: { hasToken: boolean }) {
  const [value, setValue] = useState("");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  if (hasToken)
    return html`<div class="token" id="token-box">
      <span class="ok-text" id="token-state">token set</span>
      <button type="button" id="token-forget" onClick=${() => {
        storeToken(null);
        setMessage(null);
        tokenChanged();
      }}>Forget</button>
    </div>`;
  const submit = async (e: Event) => {
    e.preventDefault();
    const token = value.trim();
    if (token === "") return;
    setBusy(true);
    const r = await api("/control", { token });
    setBusy(false);
    if (r.status === 200) {
      storeToken(token);
      setValue("");
      setMessage({ ok: true, text: "token accepted" });
      tokenChanged();
    } else {
      setMessage({
        ok: false,
        text: r.status === 401 ? `Token refused: ${r.error}` : `Could not check the token: ${r.error}`,
      });
    }
  };
  return html`<form class="token" id="token-box" onSubmit=${submit}>
    <input id="token-input" type="password" autocomplete="off" placeholder="operator token" value=${value}
      onInput=${(e: Event) => setValue((e.target as HTMLInputElement).value)} />
    <button type="submit" id="token-submit" disabled=${busy}>Use token</button>
    ${message === null ? null : html`<span id="token-message" class=${message.ok ? "ok-text" : "error"}>${message.text}</span>`}
  </form>`;
}
