/**
 * Counts outgoing node:http client requests of this process (the AWS SDK's DynamoDB client uses
 * node:http), by operation, through the `http.client.request.start` diagnostics channel. The load
 * generator runs in another process and `fetch` does not use node:http, so neither is counted.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

const CHANNEL = 'http.client.request.start';

export interface CountSnapshot {
  readonly total: number;
  readonly byTarget: Readonly<Record<string, number>>;
}

export class HttpClientCounter {
  #total = 0;
  #byTarget: Record<string, number> = {};
  readonly #listener = (message: unknown): void => {
    const request = (message as { request?: ClientRequest }).request;
    this.#total++;
    const target = request?.getHeader('x-amz-target');
    // e.g. `DynamoDB_20120810.GetItem` -> `GetItem`
    const name = typeof target === 'string' ? (target.split('.').pop() ?? target) : `${request?.method ?? '?'} ${request?.host ?? '?'}`;
    this.#byTarget[name] = (this.#byTarget[name] ?? 0) + 1;
  };

  start(): void {
    diagnosticsChannel.subscribe(CHANNEL, this.#listener);
  }

  stop(): void {
    diagnosticsChannel.unsubscribe(CHANNEL, this.#listener);
  }

  /** Returns the counts since the last reset and starts counting afresh. */
  takeSnapshot(): CountSnapshot {
    const snapshot = { total: this.#total, byTarget: this.#byTarget };
    this.#total = 0;
    this.#byTarget = {};
    return snapshot;
  }
}
