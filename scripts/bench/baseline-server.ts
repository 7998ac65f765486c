/**
 * The floor to compare against: a bare node:http server that reads the request body and answers
 * a fixed AWS JSON 1.1 body, with nothing else on the path.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const BODY = Buffer.from(JSON.stringify({ CiphertextBlob: 'A'.repeat(160), KeyId: 'arn:aws:kms:us-east-1:111122223333:key/baseline', EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }));

export interface BaselineServer {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export function startBaselineServer(): Promise<BaselineServer> {
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': String(BODY.length) });
      response.end(BODY);
    });
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        endpoint: `http://127.0.0.1:${port}`,
        stop: () =>
          new Promise<void>((resolveStop) => {
            server.close(() => resolveStop());
            server.closeAllConnections();
          }),
      });
    });
  });
}
