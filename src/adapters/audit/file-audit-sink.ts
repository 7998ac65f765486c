/** Local mode: appends each audit event as one JSON line to `<data-dir>/audit.log`. */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { AuditEvent } from '../../core/audit-event.js';
import type { AuditSink } from '../../core/ports/index.js';

export class FileAuditSink implements AuditSink {
  readonly #stream: WriteStream;

  constructor(path: string) {
    this.#stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
  }

  async record(event: AuditEvent): Promise<void> {
    // Buffered by the stream: one syscall per request would cost more than the request itself.
    this.#stream.write(`${JSON.stringify(event)}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#stream.end(resolve));
  }
}
