/** Starts the load-generator child process and runs jobs on it one at a time. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadJob, LoadReply, LoadResult } from './load-protocol.js';

/** Time a job may take beyond its duration before the benchmark gives up on the child. */
const REPLY_GRACE_MS = 30_000;

export class LoadClient {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (result: LoadResult) => void; reject: (error: Error) => void }>();
  #nextId = 1;
  #exited = false;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (reply: LoadReply) => {
      const waiter = this.#pending.get(reply.id);
      if (waiter === undefined) return;
      this.#pending.delete(reply.id);
      if (reply.type === 'result') waiter.resolve(reply);
      else waiter.reject(new Error(`load generator: ${reply.message}`));
    });
    child.on('exit', (code, signal) => {
      this.#exited = true;
      for (const waiter of this.#pending.values()) {
        waiter.reject(new Error(`load generator exited (code ${code}, signal ${signal})`));
      }
      this.#pending.clear();
    });
  }

  /** Forks the generator with this process's loader flags (so it runs TypeScript the same way). */
  static start(): LoadClient {
    const script = fileURLToPath(new URL('./load-generator.ts', import.meta.url));
    const child = fork(script, [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new LoadClient(child);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  run(job: Omit<LoadJob, 'type' | 'id'>): Promise<LoadResult> {
    if (this.#exited) return Promise.reject(new Error('load generator is not running'));
    const id = this.#nextId++;
    return new Promise<LoadResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`load generator did not answer within ${job.durationSeconds}s + ${REPLY_GRACE_MS / 1000}s`));
      }, job.durationSeconds * 1000 + REPLY_GRACE_MS);
      this.#pending.set(id, {
        resolve: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.#child.send({ ...job, type: 'run', id } satisfies LoadJob);
    });
  }

  stop(): void {
    if (this.#exited) return;
    if (this.#child.connected) this.#child.disconnect();
    // Disconnecting makes the child exit; make sure it does even if it is stuck.
    const child = this.#child;
    setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, 2_000).unref();
  }
}
