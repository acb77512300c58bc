/**
 * A Server-Sent Events reader for tests: frames parsed from a byte stream as they arrive
 * (`event`, `id`, parsed JSON `data`), with bounded waits. Shared by the hub's unit tests and
 * the e2e tests of `GET /events`.
 */

export interface SseFrame {
  event: string;
  id: string | null;
  data: any;
}

export class SseReader {
  readonly frames: SseFrame[] = [];
  private buffer = "";
  private ended = false;
  private readonly pump: Promise<void>;
  private readonly stopReading: () => Promise<void>;
  error: unknown = null;

  constructor(stream: ReadableStream<Uint8Array>) {
    const reader = stream.getReader();
    this.stopReading = () => reader.cancel().catch(() => {});
    const decoder = new TextDecoder();
    this.pump = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          this.buffer += decoder.decode(value, { stream: true });
          this.parse();
        }
      } catch (e) {
        this.error = e;
      } finally {
        this.ended = true;
      }
    })();
  }

  get done(): boolean {
    return this.ended;
  }

  private parse(): void {
    let cut = this.buffer.indexOf("\n\n");
    while (cut >= 0) {
      const block = this.buffer.slice(0, cut);
      this.buffer = this.buffer.slice(cut + 2);
      cut = this.buffer.indexOf("\n\n");
      let event = "message";
      let id: string | null = null;
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":") || line === "") continue;
        const [field, ...rest] = line.split(":");
        const value = rest.join(":").replace(/^ /, "");
        if (field === "event") event = value;
        else if (field === "id") id = value;
        else if (field === "data") data.push(value);
      }
      if (data.length > 0) this.frames.push({ event, id, data: JSON.parse(data.join("\n")) });
    }
  }

  /** Waits until `check(frames)` holds; throws naming `what` after `timeoutMs`. */
  async until(what: string, check: (frames: SseFrame[]) => boolean, timeoutMs = 3000): Promise<SseFrame[]> {
    for (let waited = 0; waited <= timeoutMs; waited += 10) {
      if (check(this.frames)) return this.frames;
      if (this.ended) break;
      await Bun.sleep(10);
    }
    if (check(this.frames)) return this.frames;
    throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.frames.map((f) => f.event))}`);
  }

  async cancel(): Promise<void> {
    await this.stopReading();
    await this.pump;
  }
}
