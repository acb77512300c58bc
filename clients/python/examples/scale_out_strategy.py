#!/usr/bin/env python3
"""Example strategy: one trade, decided in steps, through the ring — open, scale out, take profit.

It shows the whole strategy side in a few lines: connect to the kernel by prefix, read the
kernel's account (the only capital authority: the position is sized from its equity), hand each
decision to the seam, read every outcome back (the kernel's, then the venue's), and wait for the
slot to move. The price used to size the entry comes from the strategy's own market data; here it
is the venue's mark price (GET /openApi/swap/v2/quote/premiumIndex), e.g. of a bingx-sim. A
decision refused for a rate limit (at the edge: nothing was sent; or by the venue) is sent again
once its hint has passed, when the hint is short (RETRY_MAX_MS), at most RETRIES times.

    python3 scale_out_strategy.py --prefix dita_v2_pink --lib $(dita-v2 zinc-lib) \\
        --price-url http://127.0.0.1:PORT --asset BTC-USDT [--fraction 0.02] [--leverage 2] [--step 0.0001]

Prints one JSON document: each decision with its outcomes, and the account before and after.
Exit 0 when the trade opened and closed, 1 when a decision was refused, 2 on bad arguments: a
--price-url with no mark price for --asset, or a --prefix / --lib the client cannot connect with
(one line on stderr naming what is wrong, no traceback).
"""

import argparse
import json
import sys
import time
import urllib.request

from dita_v2_client import DitaClient, DitaClientError, ScaleOut, Seam, TakeProfit, open_long

RETRIES = 3
RETRY_MAX_MS = 30_000


def execute(seam: Seam, decision):
    """``decision`` through the seam; a rate-limited refusal with a short hint is sent again after it."""
    for tries in range(1, RETRIES + 1):
        result = seam.execute(decision, await_venue=True)
        wait = result.retry_after_ms if result.retry_after_ms is not None else 1_000
        if result.ok or not result.rate_limited or result.restarted or tries == RETRIES or wait > RETRY_MAX_MS:
            return result
        time.sleep(wait / 1000)
    raise AssertionError("unreachable")


def mark_price(url: str, asset: str) -> float:
    """The venue's mark price of ``asset``; a ValueError naming the URL when there is none."""
    def none(why):
        return ValueError(f"--price-url {url} gave no mark price for {asset} ({why})")
    try:
        with urllib.request.urlopen(f"{url}/openApi/swap/v2/quote/premiumIndex?symbol={asset}", timeout=5) as r:
            body = json.load(r)
    except (OSError, ValueError) as e:
        raise none(e) from None
    try:
        return float(body["data"]["markPrice"])
    except (KeyError, TypeError, ValueError):
        raise none(f"answered {json.dumps(body)[:120]}") from None


def wait_for_stage(client: DitaClient, slot: int, stages: tuple[str, ...], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while client.slot(slot).stage not in stages:
        if time.monotonic() > deadline:
            raise TimeoutError(f"slot {slot} is {client.slot(slot).stage}, not {stages}")
        client.wait_for_change(0.2)
    return client.slot(slot).stage


def summary(result) -> dict:
    return {
        "ok": result.ok,
        "refusals": [{"origin": r.origin, "code": r.code, "message": r.message} for r in result.refusals],
        "outcomes": [{"intent": s.intent.type, "kernel": s.outcome.stage if s.outcome else None,
                      "accepted": s.outcome.accepted if s.outcome else None,
                      "venue": s.venue.event_kind if s.venue else None} for s in result.steps],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--lib", required=True)
    ap.add_argument("--price-url", required=True)
    ap.add_argument("--asset", default="BTC-USDT")
    ap.add_argument("--fraction", type=float, default=0.02)
    ap.add_argument("--leverage", type=int, default=2)
    ap.add_argument("--step", type=float, default=0.0001)
    args = ap.parse_args()
    report = {"decisions": []}
    try:
        price = mark_price(args.price_url, args.asset)
        client = DitaClient.connect(args.prefix, lib_path=args.lib)
    except (ValueError, DitaClientError) as e:
        print(f"scale_out_strategy.py: {e}", file=sys.stderr)
        return 2
    with client:
        seam = Seam(client, steps={args.asset: args.step}, trade_id_prefix="example")
        report["account_before"] = client.account().equity
        opened = execute(seam, open_long(args.asset, args.leverage, capital_fraction=args.fraction,
                                         reference_price=price))
        report["decisions"].append({"decision": "open long", **summary(opened)})
        if not opened.ok:
            print(json.dumps(report, indent=2))
            return 1
        slot = opened.steps[0].intent.slot_id
        wait_for_stage(client, slot, ("POSITION_OPEN",), 10)
        for name, decision, until in (("scale out half", ScaleOut(slot, fraction=0.5), ("POSITION_OPEN",)),
                                      ("take profit", TakeProfit(slot), ("CLOSED",))):
            result = execute(seam, decision)
            report["decisions"].append({"decision": name, **summary(result)})
            if not result.ok:
                print(json.dumps(report, indent=2))
                return 1
            report["decisions"][-1]["stage"] = wait_for_stage(client, slot, until, 10)
        report["slot"] = {"realized_pnl": client.slot(slot).realized_pnl, "fees": client.slot(slot).fees}
        report["account_after"] = client.account().equity
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
