import { SignatureV4 } from '@smithy/signature-v4';
import type { CredentialResolver, ResolvedCredential, SignedHttpRequest } from '../../src/authn/sigv4-verifier.js';
import { NodeSha256 } from '../../src/authn/node-sha256.js';
import type { Principal } from '../../src/core/request-context.js';
import { makePrincipal } from './core.js';

export const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
export const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
export const SIGNING_DATE = new Date('2024-05-01T12:00:00.000Z');
export const HOST = 'kms.example.test';

export interface SignOptions {
  readonly body?: string;
  /** The X-Amz-Target header; `null` leaves it out. */
  readonly target?: string | null;
  readonly region?: string;
  readonly service?: string;
  readonly signingDate?: Date;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly sessionToken?: string;
  /** Extra headers to send (and sign). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Leave the Host header out (so it is not signed). */
  readonly withoutHost?: boolean;
  /** Whether the signer adds `x-amz-content-sha256` (smithy's default is yes). */
  readonly applyChecksum?: boolean;
  readonly path?: string;
}

/** Signs a KMS request with smithy's SigV4 signer, the way an AWS SDK client does. Header names come back lower case. */
export async function signRequest(options: SignOptions = {}): Promise<SignedHttpRequest> {
  const body = options.body ?? '{}';
  const region = options.region ?? 'us-east-1';
  const service = options.service ?? 'kms';
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: options.accessKeyId ?? ACCESS_KEY_ID,
      secretAccessKey: options.secretAccessKey ?? SECRET_ACCESS_KEY,
      ...(options.sessionToken === undefined ? {} : { sessionToken: options.sessionToken }),
    },
    region,
    service,
    sha256: NodeSha256,
    applyChecksum: options.applyChecksum ?? true,
  });
  const bodyBytes = new TextEncoder().encode(body);
  const headers: Record<string, string> = {
    ...(options.withoutHost === true ? {} : { host: HOST }),
    'content-type': 'application/x-amz-json-1.1',
    'content-length': String(bodyBytes.length),
    ...(options.target === null ? {} : { 'x-amz-target': options.target ?? 'TrentService.ListKeys' }),
    ...options.headers,
  };
  const signed = await signer.sign(
    { method: 'POST', protocol: 'https:', hostname: HOST, path: options.path ?? '/', query: {}, headers, body },
    { signingDate: options.signingDate ?? SIGNING_DATE },
  );
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) lower[name.toLowerCase()] = value;
  return { method: 'POST', path: options.path ?? '/', query: {}, headers: lower, body: bodyBytes };
}

/** Resolves the test access keys from a map. */
export class MapCredentialResolver implements CredentialResolver {
  readonly #credentials = new Map<string, ResolvedCredential>();

  constructor(entries: readonly [string, string, Principal][] = [[ACCESS_KEY_ID, SECRET_ACCESS_KEY, makePrincipal({ accessKeyId: ACCESS_KEY_ID })]]) {
    for (const [accessKeyId, secretAccessKey, principal] of entries) this.#credentials.set(accessKeyId, { secretAccessKey, principal });
  }

  async resolve(accessKeyId: string): Promise<ResolvedCredential | undefined> {
    return this.#credentials.get(accessKeyId);
  }
}

export function withHeaders(request: SignedHttpRequest, headers: Readonly<Record<string, string | undefined>>): SignedHttpRequest {
  const next: Record<string, string> = { ...request.headers };
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) delete next[name];
    else next[name] = value;
  }
  return { ...request, headers: next };
}
