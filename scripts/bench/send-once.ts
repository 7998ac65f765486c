/** Sends one replayable request over a fresh connection and returns status and body. */
import { request as httpRequest } from 'node:http';
import type { ReplayRequest } from './load-protocol.js';

export interface OnceResponse {
  readonly status: number;
  readonly body: string;
}

export function sendOnce(endpoint: string, replay: ReplayRequest, timeoutMs = 10_000): Promise<OnceResponse> {
  const url = new URL(replay.path, endpoint);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { hostname: url.hostname, port: url.port, path: url.pathname, method: replay.method, headers: replay.headers, agent: false, timeout: timeoutMs },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer from ${endpoint} within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(replay.body);
  });
}
