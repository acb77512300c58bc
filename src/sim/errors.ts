/**
 * BingX error codes the sim answers with, their messages, and `SimError`, the one exception type
 * handlers throw for a client-caused refusal. The server turns a `SimError` into the BingX
 * envelope `{code, msg, data:{}}` with HTTP 200 (BingX reports business and auth errors in the
 * body); only rate limits (429), injected 5xx (500) and dropped responses (504) change the status.
 */

export const Code = {
  SIGNATURE_MISMATCH: 100001,
  PERMISSION: 100004,
  INVALID_ARGUMENTS: 100400,
  RATE_LIMITED: 100410,
  NULL_SIGNATURE: 100412,
  INCORRECT_API_KEY: 100413,
  TIMESTAMP_MISMATCH: 100421,
  INTERNAL: 100500,
  INVALID_PARAMETER: 80014,
  ORDER_NOT_EXIST: 80016,
  ORDER_ALREADY_FILLED: 80018,
  INSUFFICIENT_MARGIN: 101204,
  PENDING_ORDERS_OR_POSITIONS: 101212,
  ORDER_SIZE: 101400,
  LEVERAGE_ABOVE_LIMIT: 101414,
  DUPLICATE_CLIENT_ID: 109201,
  HEDGE_REDUCE_ONLY: 109400,
} as const;

export const Message: Record<number, string> = {
  100001: "Signature verification failed",
  100004: "Permission denied as the API key was created without the permission",
  100400: "Invalid or missing arguments",
  100410: "rate limited",
  100412: "Null signature",
  100413: "Incorrect apiKey",
  100421: "Null timestamp or timestamp mismatch",
  100500: "Internal system error",
  80014: "Invalid parameters",
  80016: "order not exist",
  80018: "order is already filled",
  101204: "Insufficient margin",
  101212:
    "Failed. Please check if you have pending orders under the trading pair. If yes, please cancel them and try again",
  101400: "order size error",
  101414: "leverage above the maximum",
  109201: "The same order number is only allowed to be submitted once within 1 second",
  109400: "In the Hedge mode, the 'ReduceOnly' field can not be filled.",
};

export class SimError extends Error {
  constructor(
    readonly code: number,
    detail?: string,
  ) {
    super(detail ? `${Message[code] ?? "error"}, ${detail}` : (Message[code] ?? "error"));
  }
}

export function fail(code: number, detail?: string): never {
  throw new SimError(code, detail);
}

export const POST_ONLY_WOULD_MATCH = 101215;
Message[POST_ONLY_WOULD_MATCH] = "Post Only order would have been matched immediately, cancelled";
