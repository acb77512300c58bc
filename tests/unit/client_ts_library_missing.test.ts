/**
 * The TypeScript client's refusal when no libzinc is given says where to get one the way the
 * executable does it: `dita-v2 zinc-lib` writes it out of the executable into <state dir>/lib by
 * default (never "next to the executable", where nothing puts it), as the Python client says.
 */

import { afterEach, expect, test } from "bun:test";
import { DitaClient, LibraryError } from "../../clients/typescript/index.ts";

const saved = process.env.DITA_V2_ZINC_LIB;
afterEach(() => {
  if (saved === undefined) delete process.env.DITA_V2_ZINC_LIB;
  else process.env.DITA_V2_ZINC_LIB = saved;
});

test("connecting with no libzinc given is a LibraryError naming zinc-lib and its default <state dir>/lib", () => {
  delete process.env.DITA_V2_ZINC_LIB;
  let error: unknown;
  try {
    DitaClient.connect({ prefix: "dita_v2_no_lib_given", namespace: "pink" });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(LibraryError);
  expect((error as LibraryError).code).toBe("LIBRARY");
  expect((error as Error).message).toContain("DITA_V2_ZINC_LIB");
  expect((error as Error).message).toContain(
    "`dita-v2 zinc-lib` writes it out of the executable, default <state dir>/lib",
  );
  expect((error as Error).message).not.toContain("next to the executable");
});
