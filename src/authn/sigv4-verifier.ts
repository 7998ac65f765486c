/**
 * Verifies AWS Signature Version 4 on an incoming request. The signature itself is recomputed
 * by smithy's `SignatureV4` over exactly the headers the client signed; this module adds what a
 * server must check around it (scope, clock skew, payload hash, unknown keys) with AWS's errors.
 */
import { timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  IncompleteSignatureException, InvalidSignatureException, MissingAuthenticationTokenException, UnrecognizedClientException,
} from '../models/kms/generated/errors.js';
import type { Clock } from '../core/ports/index.js';
import type { Principal } from '../core/request-context.js';
import { parseAuthorizationHeader, type ParsedAuthorization } from './authorization-header.js';
import { NodeSha256 } from './node-sha256.js';

/** A request as the client signed it. Header names are lower case. */
export interface SignedHttpRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

export interface ResolvedCredential {
  readonly secretAccessKey: string;
  readonly principal: Principal;
}

/** Looks up the secret and principal of an access key ID. */
export interface CredentialResolver {
  resolve(accessKeyId: string): Promise<ResolvedCredential | undefined>;
}

export interface VerifiedCaller {
  readonly principal: Principal;
  /** The Region of the credential scope: the Region the request acts in. */
  readonly region: string;
}

const FIFTEEN_MINUTES_MS = 15 * 60 * 1000;
const MAX_CACHED_SIGNERS = 1000;
/** How long a signer (which holds the secret and the derived signing keys) is kept: secrets in memory get a bounded lifetime. */
const SIGNER_TTL_MS = 5 * 60 * 1000;
/** Expired signers are dropped by the first request after each such interval. */
const SIGNER_SWEEP_MS = 10_000;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export class SigV4Verifier {
  readonly #credentials: CredentialResolver;
  readonly #clock: Clock;
  readonly #maxSkewMs: number;
  readonly #signers = new Map<string, { secret: string; signer: SignatureV4; expiresAt: number }>();
  #nextSweep = 0;

  constructor(options: { credentials: CredentialResolver; clock: Clock; maxSkewMs?: number }) {
    this.#credentials = options.credentials;
    this.#clock = options.clock;
    this.#maxSkewMs = options.maxSkewMs ?? FIFTEEN_MINUTES_MS;
  }

  async verify(request: SignedHttpRequest): Promise<VerifiedCaller> {
    const authorization = request.headers['authorization'];
    if (authorization === undefined || authorization.trim() === '') {
      throw new MissingAuthenticationTokenException('Missing Authentication Token');
    }
    const amzDate = request.headers['x-amz-date'];
    const auth = parseAuthorizationHeader(authorization, amzDate !== undefined || request.headers['date'] !== undefined);
    /*
     * Precondition: the timestamp travels in X-Amz-Date, as every AWS SDK and the CLI send it.
     * SigV4 also allows the Date header, but smithy's signer always signs X-Amz-Date, so such a
     * request could never verify; it is refused with a clear reason instead.
     */
    if (amzDate === undefined) {
      throw new IncompleteSignatureException("This service requires the timestamp of a signed request in the 'X-Amz-Date' header; the 'Date' header is not supported.");
    }
    const signingDate = parseAmzDate(amzDate);
    const dateStamp = amzDate.slice(0, 8);
    if (auth.scopeDate !== dateStamp) {
      throw new InvalidSignatureException(
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.scopeDate}' != '${dateStamp}', from '${amzDate}'.`,
      );
    }
    this.#assertFresh(signingDate, amzDate);
    if (!auth.signedHeaders.includes('host')) {
      throw new InvalidSignatureException("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    }
    const credential = await this.#credentials.resolve(auth.accessKeyId);
    if (credential === undefined || request.headers['x-amz-security-token'] !== undefined) {
      throw new UnrecognizedClientException('The security token included in the request is invalid.');
    }
    const expected = await computeSignature(request, auth.signedHeaders, this.#signerFor(credential, auth), signingDate);
    if (!constantTimeEquals(expected, auth.signature)) {
      throw new InvalidSignatureException(
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      );
    }
    return { principal: credential.principal, region: auth.region };
  }

  /**
   * One signer per access key and Region: smithy caches derived signing keys inside the signer,
   * which saves four HMACs on every request after the first of the day.
   */
  #signerFor(credential: ResolvedCredential, auth: ParsedAuthorization): SignatureV4 {
    const cacheKey = `${auth.accessKeyId}/${auth.region}`;
    const cached = this.#signers.get(cacheKey);
    const now = this.#clock.now().getTime();
    if (now >= this.#nextSweep) {
      this.#nextSweep = now + SIGNER_SWEEP_MS;
      for (const [key, entry] of this.#signers) if (entry.expiresAt <= now) this.#signers.delete(key);
    }
    if (cached !== undefined && cached.secret === credential.secretAccessKey && cached.expiresAt > now) return cached.signer;
    if (this.#signers.size >= MAX_CACHED_SIGNERS) this.#signers.clear();
    const signer = new SignatureV4({
      credentials: { accessKeyId: auth.accessKeyId, secretAccessKey: credential.secretAccessKey },
      region: auth.region,
      service: 'kms',
      sha256: NodeSha256,
      uriEscapePath: true,
      applyChecksum: false,
    });
    this.#signers.set(cacheKey, { secret: credential.secretAccessKey, signer, expiresAt: now + SIGNER_TTL_MS });
    return signer;
  }

  #assertFresh(signingDate: Date, amzDate: string): void {
    const now = this.#clock.now();
    const earliest = new Date(now.getTime() - this.#maxSkewMs);
    const latest = new Date(now.getTime() + this.#maxSkewMs);
    if (signingDate < earliest) {
      throw new InvalidSignatureException(
        `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(earliest)} (${formatAmzDate(now)} - 15 min.)`,
      );
    }
    if (signingDate > latest) {
      throw new InvalidSignatureException(
        `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(latest)} (${formatAmzDate(now)} + 15 min.)`,
      );
    }
  }
}

async function computeSignature(
  request: SignedHttpRequest,
  signedHeaders: readonly string[],
  signer: SignatureV4,
  signingDate: Date,
): Promise<string> {
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const payloadHash = request.headers['x-amz-content-sha256'];
  if (payloadHash !== undefined && payloadHash !== 'UNSIGNED-PAYLOAD') {
    /* Precondition: a declared payload hash is the hash of the body that arrived. */
    const actual = new NodeSha256();
    actual.update(request.body);
    if (Buffer.from(await actual.digest()).toString('hex') !== payloadHash.toLowerCase()) {
      throw new InvalidSignatureException("The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
  }
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'https:',
      hostname: headers['host'] ?? '',
      path: request.path,
      query: { ...request.query },
      headers,
      body: request.body,
    },
    { signingDate, signingService: 'kms', signableHeaders: new Set(signedHeaders) },
  );
  const match = /Signature=([0-9a-f]+)/.exec(signed.headers['authorization'] ?? '');
  return match?.[1] ?? '';
}

function parseAmzDate(value: string): Date {
  const match = AMZ_DATE.exec(value);
  if (match === null) {
    throw new IncompleteSignatureException(
      `Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }
  const [, year, month, day, hour, minute, second] = match.map(Number);
  return new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1, hour ?? 0, minute ?? 0, second ?? 0));
}

export function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function constantTimeEquals(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
