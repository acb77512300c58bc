/**
 * The perpetual contracts the sim lists, with BingX's trading rules: quantity and price
 * precision (decimal places), minimum quantity and minimum notional, maximum leverage, fees.
 * Symbols given in `SimOptions.prices` that are not in the table get generic rules derived from
 * their price, so any "XYZ-USDT" can be simulated.
 *
 * `patchContract` changes one listed contract while the sim runs (a coarser step, a suspension:
 * `status` other than 1, which the sim lists but does not enforce), for tests of a client's refresh.
 *
 * Entry points: `buildCatalog(prices)`, `ContractRule`, `contractJson(rule)`, `floorToStep`,
 * `truncateDecimals`, `patchContract`, `ContractPatch`.
 */

export interface ContractRule {
  contractId: string;
  symbol: string;
  quantityPrecision: number;
  pricePrecision: number;
  tradeMinQuantity: number;
  tradeMinUSDT: number;
  maxLeverage: number;
  takerFeeRate: number;
  makerFeeRate: number;
  /** BingX's contract status: 1 trading; anything else (0 offline, 5 pre-online, 25 no opening) not. */
  status: number;
}

/** The fields of a listed contract a test may change while the sim runs. */
export type ContractPatch = Partial<
  Pick<ContractRule, "quantityPrecision" | "pricePrecision" | "tradeMinQuantity" | "tradeMinUSDT" | "status">
>;

export const TAKER_FEE_RATE = 0.0005;
export const MAKER_FEE_RATE = 0.0002;

const KNOWN: Record<string, [qtyPrec: number, pricePrec: number, minQty: number, maxLev: number, price: number]> = {
  "BTC-USDT": [4, 1, 0.0001, 125, 65000],
  "ETH-USDT": [2, 2, 0.01, 100, 3200],
  "SOL-USDT": [1, 3, 0.1, 50, 150],
  "DOGE-USDT": [0, 5, 1, 50, 0.15],
  "TRX-USDT": [0, 5, 1, 50, 0.25],
};

export const DEFAULT_PRICES: Record<string, number> = Object.fromEntries(
  Object.entries(KNOWN).map(([s, row]) => [s, row[4]]),
);

export function buildCatalog(symbols: string[]): Map<string, ContractRule> {
  const out = new Map<string, ContractRule>();
  let id = 100;
  for (const symbol of symbols) {
    const known = KNOWN[symbol];
    const [qp, pp, minQty, maxLev] = known ?? genericRule(DEFAULT_PRICES[symbol] ?? 1);
    out.set(symbol, {
      contractId: String(id++),
      symbol,
      quantityPrecision: qp,
      pricePrecision: pp,
      tradeMinQuantity: minQty,
      tradeMinUSDT: 2,
      maxLeverage: maxLev,
      takerFeeRate: TAKER_FEE_RATE,
      makerFeeRate: MAKER_FEE_RATE,
      status: 1,
    });
  }
  return out;
}

const PATCH_CHECKS: Record<keyof ContractPatch, (v: number) => boolean> = {
  quantityPrecision: (v) => Number.isInteger(v) && v >= 0 && v <= 8,
  pricePrecision: (v) => Number.isInteger(v) && v >= 0 && v <= 8,
  tradeMinQuantity: (v) => Number.isFinite(v) && v > 0,
  tradeMinUSDT: (v) => Number.isFinite(v) && v >= 0,
  status: (v) => Number.isInteger(v) && v >= 0 && v <= 99,
};

/** Applies `patch` to the listed `symbol` whole, or throws one line naming the bad field (nothing changed). */
export function patchContract(catalog: Map<string, ContractRule>, symbol: string, patch: ContractPatch): void {
  const rule = catalog.get(symbol);
  if (!rule) throw new Error(`Condition failed: ${String(symbol).slice(0, 40)} is not a listed contract`);
  const entries = Object.entries(patch ?? {});
  for (const [key, value] of entries) {
    const check = PATCH_CHECKS[key as keyof ContractPatch];
    if (!check) throw new Error(`Condition failed: contract field ${key.slice(0, 40)} cannot be changed`);
    if (typeof value !== "number" || !check(value))
      throw new Error(`Condition failed: ${key} ${String(value).slice(0, 40)} is out of range for ${symbol}`);
  }
  catalog.set(symbol, { ...rule, ...(patch as ContractPatch) });
}

function genericRule(price: number): [number, number, number, number] {
  const pricePrec = Math.max(0, Math.min(8, 4 - Math.floor(Math.log10(Math.max(price, 1e-8)))));
  const qtyPrec = Math.max(0, Math.min(6, Math.floor(Math.log10(Math.max(price, 1e-8))) + 1));
  return [qtyPrec, pricePrec, 10 ** -qtyPrec, 50];
}

/**
 * Rounds a computed value down to `decimals` places, absorbing binary-float drift
 * (0.30000000000000004 → 0.3; within 1e-6 of a step counts as on it). Not for a client's input:
 * `truncateDecimals` cuts the decimal text exactly, as BingX truncates an order's quantity and price.
 */
export function floorToStep(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.floor(Number((value * scale).toFixed(6))) / scale;
}

/** Decimal text (digits, optional fraction) cut to `decimals` places: 0.00019999999 at 4 → "0.0001", never rounded. */
export function truncateDecimals(text: string, decimals: number): string {
  const [whole, fraction = ""] = text.split(".");
  return decimals > 0 && fraction.length > 0 ? `${whole}.${fraction.slice(0, decimals)}` : (whole ?? text);
}

export function roundTo(value: number, decimals: number): number {
  return Number(value.toFixed(decimals));
}

export function contractJson(r: ContractRule): Record<string, unknown> {
  return {
    contractId: r.contractId,
    symbol: r.symbol,
    size: String(r.tradeMinQuantity),
    quantityPrecision: r.quantityPrecision,
    pricePrecision: r.pricePrecision,
    feeRate: r.takerFeeRate,
    makerFeeRate: r.makerFeeRate,
    takerFeeRate: r.takerFeeRate,
    tradeMinLimit: 0,
    tradeMinQuantity: r.tradeMinQuantity,
    tradeMinUSDT: r.tradeMinUSDT,
    maxLongLeverage: r.maxLeverage,
    maxShortLeverage: r.maxLeverage,
    currency: "USDT",
    asset: r.symbol.split("-")[0] ?? r.symbol,
    status: r.status,
    apiStateOpen: "true",
    apiStateClose: "true",
  };
}
