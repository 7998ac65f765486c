import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileAuditSink, type RotationStep } from '../../../src/adapters/audit/file-audit-sink.js';
import type { AuditEvent } from '../../../src/core/audit-event.js';

const runNode = promisify(execFile);

/** An event carrying its sequence number, padded to about `bytes` bytes as a line. */
function event(seq: number, bytes = 200): AuditEvent {
  return { eventVersion: '1.08', requestID: `request-${seq}`, seq, padding: 'x'.repeat(Math.max(0, bytes - 60)) } as unknown as AuditEvent;
}

interface LogFiles {
  /** Lines of every file, oldest file first, the live log last. */
  readonly lines: string[];
  readonly names: string[];
  readonly sizes: Map<string, number>;
}

async function readLogs(dir: string): Promise<LogFiles> {
  const names = (await readdir(dir)).sort();
  const rotated = names.filter((name) => /^audit\.log\.\d+\.gz$/.test(name))
    .sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]));
  const lines: string[] = [];
  const sizes = new Map<string, number>();
  for (const name of [...rotated, 'audit.log']) {
    const raw = await readFile(join(dir, name)).catch(() => Buffer.alloc(0));
    const text = name.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    sizes.set(name, Buffer.byteLength(text));
    if (text.length > 0) {
      expect(text.endsWith('\n'), `${name} ends with a whole line`).toBe(true);
      lines.push(...text.slice(0, -1).split('\n'));
    }
  }
  return { lines, names, sizes };
}

function sequences(lines: readonly string[]): number[] {
  return lines.map((line) => (JSON.parse(line) as { seq: number }).seq);
}

describe('FileAuditSink rotation', () => {
  let dir: string;
  let path: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kms-audit-'));
    path = join(dir, 'audit.log');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('size reached mid-burst: every event is present exactly once across the files, in order, and no file passes the limit', async () => {
    const sink = await FileAuditSink.open({ path, maxBytes: 4096, keep: 1000 });
    await Promise.all(Array.from({ length: 3000 }, (_, seq) => sink.record(event(seq))));
    await sink.close();
    const logs = await readLogs(dir);
    expect(sequences(logs.lines)).toEqual(Array.from({ length: 3000 }, (_, seq) => seq));
    expect(logs.names.filter((name) => /\.gz$/.test(name)).length).toBeGreaterThan(100);
    for (const [name, size] of logs.sizes) expect(size, name).toBeLessThanOrEqual(4096);
    expect(logs.names.filter((name) => /^audit\.log\.\d+$|\.tmp$/.test(name))).toEqual([]);
  });

  it('each event is in the file when record resolves, before close', async () => {
    const sink = await FileAuditSink.open({ path });
    for (let seq = 0; seq < 20; seq++) {
      await sink.record(event(seq));
      const text = await readFile(path, 'utf8');
      expect(text.trimEnd().split('\n').length).toBe(seq + 1);
    }
    await sink.close();
  });

  it('keeps only the newest N compressed files, and they follow on from each other into the live log', async () => {
    const sink = await FileAuditSink.open({ path, maxBytes: 1000, keep: 3 });
    for (let seq = 0; seq < 200; seq++) await sink.record(event(seq));
    await sink.close();
    const logs = await readLogs(dir);
    expect(logs.names.filter((name) => name.endsWith('.gz')).length).toBe(3);
    const seen = sequences(logs.lines);
    expect(seen.at(-1)).toBe(199);
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, index) => 200 - seen.length + index));
  });

  it('keeps no rotated file with --audit-log-keep 0', async () => {
    const sink = await FileAuditSink.open({ path, maxBytes: 1000, keep: 0 });
    for (let seq = 0; seq < 50; seq++) await sink.record(event(seq));
    await sink.close();
    expect((await readdir(dir)).sort()).toEqual(['audit.log']);
    expect((await stat(path)).size).toBeLessThanOrEqual(1000);
  });

  it('writes an event longer than the limit whole, alone in a file', async () => {
    const sink = await FileAuditSink.open({ path, maxBytes: 500, keep: 10 });
    await sink.record(event(0, 100));
    await sink.record(event(1, 2000));
    await sink.record(event(2, 100));
    await sink.close();
    const logs = await readLogs(dir);
    expect(sequences(logs.lines)).toEqual([0, 1, 2]);
  });

  it('cuts off an unfinished last line a crash left, so the next event starts a line of its own', async () => {
    await writeFile(path, `${JSON.stringify(event(0))}\n{"eventVersion":"1.08","requ`);
    const sink = await FileAuditSink.open({ path });
    await sink.record(event(1));
    await sink.close();
    expect(sequences((await readLogs(dir)).lines)).toEqual([0, 1]);
  });

  it('numbers rotated files after those already there when opened again', async () => {
    let sink = await FileAuditSink.open({ path, maxBytes: 1000, keep: 100 });
    for (let seq = 0; seq < 30; seq++) await sink.record(event(seq));
    await sink.close();
    sink = await FileAuditSink.open({ path, maxBytes: 1000, keep: 100 });
    for (let seq = 30; seq < 60; seq++) await sink.record(event(seq));
    await sink.close();
    expect(sequences((await readLogs(dir)).lines)).toEqual(Array.from({ length: 60 }, (_, seq) => seq));
  });

  it('rejects a size limit or a count that is not a whole number in range', async () => {
    await expect(FileAuditSink.open({ path, maxBytes: 0 })).rejects.toThrow('The audit log size limit must be a positive whole number of bytes.');
    await expect(FileAuditSink.open({ path, keep: -1 })).rejects.toThrow('The number of rotated audit logs kept must be a whole number, 0 or more.');
  });

  /**
   * A process of its own records events one after another with a small limit and prints each
   * sequence number once `record` has resolved; it kills itself (SIGKILL) when the rotation of
   * its second rotated file reaches `step`. Returns the acknowledged sequence numbers.
   */
  async function crashAt(step: RotationStep, firstSeq: number): Promise<number[]> {
    const sinkModule = new URL('../../../src/adapters/audit/file-audit-sink.ts', import.meta.url).href;
    const script = `
      import { FileAuditSink } from ${JSON.stringify(sinkModule)};
      const sink = await FileAuditSink.open({
        path: process.env.AUDIT_PATH, maxBytes: 1000, keep: 100,
        onRotationStep: (step, generation) => {
          if (step === process.env.CRASH_STEP && generation >= 2 + Number(process.env.FIRST_GENERATION)) process.kill(process.pid, 'SIGKILL');
        },
      });
      for (let seq = Number(process.env.FIRST_SEQ); seq < Number(process.env.FIRST_SEQ) + 100; seq++) {
        await sink.record({ eventVersion: '1.08', requestID: 'request-' + seq, seq, padding: 'x'.repeat(140) });
        process.stdout.write(seq + '\\n');
      }
      await sink.close();`;
    const generations = (await readdir(dir)).map((name) => Number(/^audit\.log\.(\d+)/.exec(name)?.[1] ?? 0));
    const env = {
      ...process.env, AUDIT_PATH: path, CRASH_STEP: step, FIRST_SEQ: String(firstSeq), FIRST_GENERATION: String(Math.max(0, ...generations)),
    };
    const result = await runNode(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env })
      .then(({ stdout }) => ({ stdout, killed: false }))
      .catch((error: { stdout: string; signal?: string }) => ({ stdout: error.stdout, killed: error.signal === 'SIGKILL' }));
    expect(result.killed, `the process was killed at ${step}`).toBe(true);
    return result.stdout.trim().split('\n').filter((line) => line !== '').map(Number);
  }

  const STEPS: readonly RotationStep[] = ['renamed', 'reopened', 'compressed', 'published', 'removed', 'pruned'];

  it.each(STEPS)('a crash during rotation (at %s) loses no acknowledged event and duplicates none', async (step) => {
    const acknowledged = [...await crashAt(step, 0), ...await crashAt(step, 1000)];
    expect(acknowledged.length).toBeGreaterThan(10);
    // Opening again finishes the interrupted rotations.
    const sink = await FileAuditSink.open({ path, maxBytes: 1000, keep: 100 });
    await sink.record(event(5000));
    await sink.close();
    const logs = await readLogs(dir);
    const seen = sequences(logs.lines);
    expect(new Set(seen).size, 'no event twice').toBe(seen.length);
    for (const seq of acknowledged) expect(seen).toContain(seq);
    expect(seen.at(-1)).toBe(5000);
    expect(logs.names.filter((name) => /^audit\.log\.\d+$|\.tmp$/.test(name))).toEqual([]);
  });
});
