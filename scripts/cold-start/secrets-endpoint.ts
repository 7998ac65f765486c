/**
 * The Secrets Manager a measured function reads at start (its PIN and group-request key secrets)
 * and the first-credential function writes: GetSecretValue and PutSecretValue of the AWS JSON 1.1
 * protocol on a loopback port, reached through the SDK's standard `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
 * There is no local Secrets Manager to run; this answers the two calls the functions make, like
 * the service (a secret without a value is ResourceNotFoundException), and notes when each came.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { now, type RequestLog } from './request-log.js';

export interface SecretsEndpoint {
  readonly url: string;
  /** The secret's current value, if it has one. */
  value(arn: string): string | undefined;
  readonly log: RequestLog;
  close(): Promise<void>;
}

const CONTENT_TYPE = 'application/x-amz-json-1.1';

function answer(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': CONTENT_TYPE, 'x-amzn-RequestId': randomUUID() });
  response.end(JSON.stringify(body));
}

function nameOf(arn: string): string {
  return arn.split(':').at(-1) ?? arn;
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
}

/** Serves `secrets` (ARN → value; `undefined` for a secret made without a value). */
export async function startSecretsEndpoint(secrets: ReadonlyMap<string, string | undefined>): Promise<SecretsEndpoint> {
  const values = new Map(secrets);
  const log: RequestLog = [];
  const server = createServer((request, response) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    log.push({ at: now(), target });
    void (async () => {
      const input = await readBody(request);
      const arn = typeof input['SecretId'] === 'string' ? input['SecretId'] : '';
      // Every SDK request is signed; an unsigned one is not the function's.
      if (request.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ') !== true) {
        answer(response, 400, { __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
      } else if (!values.has(arn)) {
        answer(response, 400, { __type: 'ResourceNotFoundException', message: 'Secrets Manager can\'t find the specified secret.' });
      } else if (target === 'secretsmanager.GetSecretValue') {
        const value = values.get(arn);
        if (value === undefined) answer(response, 400, { __type: 'ResourceNotFoundException', message: 'Secrets Manager can\'t find the specified secret value for staging label: AWSCURRENT' });
        else answer(response, 200, { ARN: arn, Name: nameOf(arn), SecretString: value, VersionId: randomUUID(), VersionStages: ['AWSCURRENT'], CreatedDate: Date.now() / 1000 });
      } else if (target === 'secretsmanager.PutSecretValue' && typeof input['SecretString'] === 'string') {
        values.set(arn, input['SecretString']);
        answer(response, 200, { ARN: arn, Name: nameOf(arn), VersionId: randomUUID(), VersionStages: ['AWSCURRENT'] });
      } else {
        answer(response, 400, { __type: 'InvalidRequestException', message: `${target} is not served here` });
      }
    })().catch((error: unknown) => answer(response, 500, { __type: 'InternalServiceError', message: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    value: (arn) => values.get(arn),
    log,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
