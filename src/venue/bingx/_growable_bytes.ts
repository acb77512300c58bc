/**
 * A byte buffer that grows by doubling, so appending n bytes in any number of pieces copies
 * O(n) bytes in all (re-concatenating per piece copies O(n²)). Used for the response header block
 * (`_http_response.ts`), which arrives in pieces of any size.
 *
 * Entry point: `GrowableBytes` (`append`, `view`, `length`).
 */

export class GrowableBytes {
  private bytes = new Uint8Array(0);
  length = 0;

  append(piece: Uint8Array): void {
    if (this.length + piece.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + piece.length, 1024));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(piece, this.length);
    this.length += piece.length;
  }

  /** The bytes appended so far (a view: valid until the next append). */
  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}
