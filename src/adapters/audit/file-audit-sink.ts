/**
 * Local mode: appends each audit event as one JSON line to `<data-dir>/audit.log`, rotated by size.
 *
 * `record` resolves once its line has been written to the file (handed to the kernel, so it
 * survives a crash of this process; it is not fsync'ed). Events recorded while a write is under
 * way go out together in the next write, so a burst costs one write, not one per event.
 *
 * Before a write would take `audit.log` past `maxBytes`, the file is rotated between two lines
 * (never inside one): renamed to `audit.log.<n>` (n one higher than any before it) and a new
 * `audit.log` opened; then, off the request path, `audit.log.<n>` is compressed to
 * `audit.log.<n>.gz` (written as `.gz.tmp`, synced, renamed), the uncompressed file removed and
 * all but the `keep` newest compressed files deleted. Every step is a rename or repeatable, and
 * `open` finishes any rotation a crash interrupted, so a crash at any point loses no event and
 * duplicates none. A line longer than `maxBytes` is written alone to a file of its own.
 */
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { open as openFile, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { AuditEvent } from '../../core/audit-event.js';
import type { AuditSink } from '../../core/ports/index.js';

/** Default size at which `audit.log` is rotated: 100 MiB. */
export const DEFAULT_AUDIT_LOG_MAX_BYTES = 100 * 2 ** 20;
/** Default number of compressed rotated files kept. */
export const DEFAULT_AUDIT_LOG_KEEP = 10;

/** The points of a rotation a test can stop the process at (see `onRotationStep`). */
export type RotationStep = 'renamed' | 'reopened' | 'compressed' | 'published' | 'removed' | 'pruned';

export interface FileAuditSinkOptions {
  /** The live log, e.g. `<data-dir>/audit.log`; rotated files sit beside it. */
  readonly path: string;
  /** Size in bytes the live log is rotated at; default `DEFAULT_AUDIT_LOG_MAX_BYTES`. */
  readonly maxBytes?: number;
  /** How many compressed rotated files are kept (0: none); default `DEFAULT_AUDIT_LOG_KEEP`. */
  readonly keep?: number;
  /** Told when a rotation reaches each step; for tests that crash the process there. */
  readonly onRotationStep?: (step: RotationStep, generation: number) => void;
}

interface Pending {
  readonly line: Buffer;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const FILE_MODE = 0o600;
// Read too: opening cuts off an unfinished last line (see dropPartialLine).
const APPEND = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT;

export class FileAuditSink implements AuditSink {
  readonly #path: string;
  readonly #maxBytes: number;
  readonly #keep: number;
  readonly #onStep: (step: RotationStep, generation: number) => void;
  #file: FileHandle;
  #size: number;
  #nextGeneration: number;
  #queue: Pending[] = [];
  #writing: Promise<void> = Promise.resolve();
  /** Whether `#drain` is running; cleared in the same step that finds the queue empty. */
  #draining = false;
  /** Compression and pruning of rotated files, one after another, off the request path. */
  #housekeeping: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(options: Required<Omit<FileAuditSinkOptions, 'onRotationStep'>> & Pick<FileAuditSinkOptions, 'onRotationStep'>, file: FileHandle, size: number, nextGeneration: number) {
    this.#path = options.path;
    this.#maxBytes = options.maxBytes;
    this.#keep = options.keep;
    this.#onStep = options.onRotationStep ?? (() => undefined);
    this.#file = file;
    this.#size = size;
    this.#nextGeneration = nextGeneration;
  }

  /** Finishes any rotation a crash interrupted, then opens the live log for appending. */
  static async open(options: FileAuditSinkOptions): Promise<FileAuditSink> {
    const maxBytes = options.maxBytes ?? DEFAULT_AUDIT_LOG_MAX_BYTES;
    const keep = options.keep ?? DEFAULT_AUDIT_LOG_KEEP;
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new RangeError('The audit log size limit must be a positive whole number of bytes.');
    if (!Number.isSafeInteger(keep) || keep < 0) throw new RangeError('The number of rotated audit logs kept must be a whole number, 0 or more.');
    const generations = await finishRotations(options.path, keep);
    const file = await openFile(options.path, APPEND, FILE_MODE);
    try {
      const size = await dropPartialLine(file);
      return new FileAuditSink({ path: options.path, maxBytes, keep, onRotationStep: options.onRotationStep }, file, size, generations + 1);
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  record(event: AuditEvent): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('The audit log is closed.'));
    const line = Buffer.from(`${JSON.stringify(event)}\n`, 'utf8');
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ line, resolve, reject });
      if (!this.#draining) {
        this.#draining = true;
        this.#writing = this.#drain();
      }
    });
  }

  /** Waits for every recorded event and any rotation under way, then closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writing;
    await this.#housekeeping;
    await this.#file.close();
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        await this.#writeBatch(batch.map((pending) => pending.line));
        for (const pending of batch) pending.resolve();
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.#draining = false;
  }

  /** Writes whole lines, rotating between two lines whenever the next would pass the limit. */
  async #writeBatch(lines: readonly Buffer[]): Promise<void> {
    let chunk: Buffer[] = [];
    let chunkBytes = 0;
    for (const line of lines) {
      if (this.#size + chunkBytes > 0 && this.#size + chunkBytes + line.length > this.#maxBytes) {
        await this.#append(chunk, chunkBytes);
        chunk = [];
        chunkBytes = 0;
        await this.#rotate();
      }
      chunk.push(line);
      chunkBytes += line.length;
    }
    await this.#append(chunk, chunkBytes);
  }

  async #append(chunk: readonly Buffer[], bytes: number): Promise<void> {
    if (bytes === 0) return;
    const data = chunk.length === 1 ? (chunk[0] as Buffer) : Buffer.concat(chunk, bytes);
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await this.#file.write(data, written, data.length - written);
      written += bytesWritten;
      this.#size += bytesWritten;
    }
  }

  /** Moves the full log aside (one rename) and opens a new one; compression follows in the background. */
  async #rotate(): Promise<void> {
    const generation = this.#nextGeneration++;
    await this.#file.close();
    await rename(this.#path, rotatedPath(this.#path, generation));
    this.#onStep('renamed', generation);
    this.#file = await openFile(this.#path, APPEND, FILE_MODE);
    this.#size = 0;
    this.#onStep('reopened', generation);
    this.#housekeeping = this.#housekeeping
      .then(() => compressRotated(this.#path, generation, this.#keep, this.#onStep))
      .then(() => prune(this.#path, generation, this.#keep, this.#onStep))
      // Left for the next rotation or start to finish: a failed compression loses nothing.
      .catch(() => undefined);
  }
}

function rotatedPath(path: string, generation: number): string {
  return `${path}.${generation}`;
}

/**
 * The generations of rotated files beside `path` (`audit.log.<n>`, `audit.log.<n>.gz`,
 * `audit.log.<n>.gz.tmp`).
 */
async function rotatedFiles(path: string): Promise<{ raw: number[]; compressed: number[]; partial: number[] }> {
  const prefix = `${basename(path)}.`;
  const found = { raw: [] as number[], compressed: [] as number[], partial: [] as number[] };
  for (const name of await readdir(dirname(path))) {
    if (!name.startsWith(prefix)) continue;
    const match = /^(\d+)(\.gz(\.tmp)?)?$/.exec(name.slice(prefix.length));
    if (match === null) continue;
    const generation = Number(match[1]);
    if (match[3] !== undefined) found.partial.push(generation);
    else if (match[2] !== undefined) found.compressed.push(generation);
    else found.raw.push(generation);
  }
  for (const list of Object.values(found)) list.sort((a, b) => a - b);
  return found;
}

/** Completes every interrupted rotation and returns the highest generation in use (0 for none). */
async function finishRotations(path: string, keep: number): Promise<number> {
  const files = await rotatedFiles(path);
  for (const generation of files.partial) await rm(`${rotatedPath(path, generation)}.gz.tmp`, { force: true });
  for (const generation of files.raw) await compressRotated(path, generation, keep, () => undefined);
  const highest = Math.max(0, ...files.raw, ...files.compressed, ...files.partial);
  await prune(path, highest, keep, () => undefined);
  return highest;
}

/**
 * Compresses `audit.log.<n>` to `audit.log.<n>.gz` and removes it. Repeatable: a `.gz` that
 * exists was complete when it was renamed into place, so the raw file is then only removed.
 */
async function compressRotated(path: string, generation: number, keep: number, onStep: (step: RotationStep, generation: number) => void): Promise<void> {
  const raw = rotatedPath(path, generation);
  const compressed = `${raw}.gz`;
  const published = await exists(compressed);
  if (!published && keep > 0) {
    const tmp = `${compressed}.tmp`;
    await pipeline(createReadStream(raw), createGzip(), createWriteStream(tmp, { mode: FILE_MODE }));
    await syncFile(tmp);
    onStep('compressed', generation);
    await rename(tmp, compressed);
    await syncFile(dirname(path));
    onStep('published', generation);
  }
  await rm(raw, { force: true });
  onStep('removed', generation);
}

/** Deletes the compressed files older than the `keep` newest, up to `newest`. */
async function prune(path: string, newest: number, keep: number, onStep: (step: RotationStep, generation: number) => void): Promise<void> {
  const { compressed } = await rotatedFiles(path);
  for (const generation of compressed) {
    if (generation <= newest - keep) await rm(`${rotatedPath(path, generation)}.gz`, { force: true });
  }
  onStep('pruned', newest);
}

/**
 * A crash in the middle of a write may leave the last line unfinished; its event was never
 * acknowledged, so the fragment is cut off rather than left to run into the next line.
 * Returns the file's size afterwards.
 */
async function dropPartialLine(file: FileHandle): Promise<number> {
  const { size } = await file.stat();
  if (size === 0) return 0;
  const tail = Buffer.alloc(Math.min(size, 64 * 1024));
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - tail.length);
    const { bytesRead } = await file.read(tail, 0, end - start, start);
    const newline = tail.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (newline !== -1) {
      const complete = start + newline + 1;
      if (complete < size) await file.truncate(complete);
      return complete;
    }
    end = start;
  }
  await file.truncate(0);
  return 0;
}

async function exists(path: string): Promise<boolean> {
  try {
    await (await openFile(path, 'r')).close();
    return true;
  } catch {
    return false;
  }
}

async function syncFile(path: string): Promise<void> {
  const handle = await openFile(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

