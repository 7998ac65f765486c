/**
 * Pre-signed AWS JSON 1.1 requests for the KMS endpoint. Signing happens once, before a load run,
 * so the load generator only replays bytes; a signature stays acceptable for 15 minutes.
 */
import { randomBytes } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../src/authn/node-sha256.js';
import type { ReplayRequest } from './load-protocol.js';

export const REGION = 'us-east-1';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export class RequestSigner {
  readonly #signer: SignatureV4;
  readonly #host: string;

  /** `endpoint` is the service's base URL, e.g. `http://127.0.0.1:4599`. */
  constructor(endpoint: string, credentials: SigningCredentials) {
    this.#host = new URL(endpoint).host;
    this.#signer = new SignatureV4({
      credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
      region: REGION,
      service: 'kms',
      sha256: NodeSha256,
      uriEscapePath: true,
      applyChecksum: false,
    });
  }

  /** Signs one `TrentService.<operation>` call with the given JSON input. */
  async sign(operation: string, input: unknown): Promise<ReplayRequest> {
    const body = JSON.stringify(input);
    const [hostname, port] = this.#host.split(':');
    const signed = await this.#signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: hostname ?? '127.0.0.1',
      ...(port === undefined ? {} : { port: Number(port) }),
      path: '/',
      query: {},
      headers: { host: this.#host, 'content-type': CONTENT_TYPE, 'x-amz-target': `TrentService.${operation}` },
      body,
    });
    return { method: 'POST', path: '/', headers: { ...signed.headers }, body };
  }

  /** `count` signed requests for one operation; `input(i)` gives the i-th request's input. */
  async signMany(operation: string, count: number, input: (index: number) => unknown): Promise<ReplayRequest[]> {
    const requests: ReplayRequest[] = [];
    for (let i = 0; i < count; i++) requests.push(await this.sign(operation, input(i)));
    return requests;
  }
}

export function randomPlaintexts(count: number, bytes: number): string[] {
  return Array.from({ length: count }, () => randomBytes(bytes).toString('base64'));
}
