/**
 * A loopback HTTP endpoint in front of DynamoDB Local, which listens only on a Unix socket in its
 * own network namespace: a deployed function reaches DynamoDB over HTTP, so the measured one is
 * pointed here through the SDK's standard `AWS_ENDPOINT_URL_DYNAMODB`. Every request is forwarded
 * unchanged and noted, so the report can say which table reads a cold start made.
 */
import { createServer, request as forward } from 'node:http';
import type { AddressInfo } from 'node:net';
import { now, type RequestLog } from './request-log.js';

export interface TableEndpoint {
  readonly url: string;
  readonly log: RequestLog;
  close(): Promise<void>;
}

export async function startTableEndpoint(socketPath: string): Promise<TableEndpoint> {
  const log: RequestLog = [];
  const server = createServer((incoming, outgoing) => {
    log.push({ at: now(), target: String(incoming.headers['x-amz-target'] ?? '') });
    const upstream = forward({ socketPath, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    upstream.on('error', (error) => {
      outgoing.writeHead(502);
      outgoing.end(String(error));
    });
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
