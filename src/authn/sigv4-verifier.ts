/**
 * Verifies AWS Signature Version 4 on an incoming request. The signature itself is recomputed
 * with smithy's canonicalisation over exactly the headers the client signed and the body that
 * arrived (`request-signature.ts`); this module adds what a server must check around it (scope,
 * clock skew, which headers are signed, payload hash, unknown keys) with AWS's errors.
 */
import { timingSafeEqual } from 'node:crypto';
import {
  ExpiredTokenException, IncompleteSignatureException, InvalidSignatureException, MissingAuthenticationTokenException, UnrecognizedClientException,
} from '../models/kms/generated/errors.js';
import { needs } from '../core/errors/service-error.js';
import type { Clock } from '../core/ports/index.js';
import type { Principal } from '../core/request-context.js';
import { formatAmzDate, parseAmzDate } from './amz-date.js';
import { sayAuthn } from './messages.js';
import { parseAuthorizationHeader, type ParsedAuthorization } from './authorization-header.js';
import { RequestSigner, sha256Hex, type SignedHttpRequest } from './request-signature.js';
import { assertRequiredHeadersSigned } from './signed-headers.js';

export type { SignedHttpRequest } from './request-signature.js';
export { formatAmzDate } from './amz-date.js';

export interface ResolvedCredential {
  readonly secretAccessKey: string;
  readonly principal: Principal;
  /** For temporary credentials: the SHA-256 (hex) of their session token, and when they expire (epoch ms). */
  readonly session?: { readonly tokenHash: string; readonly expiresAt: number };
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
/** IAM's AccessKeyIdType: 16 to 128 word characters. Nothing else is looked up in the table. */
const ACCESS_KEY_ID = /^\w{16,128}$/;
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const INVALID_TOKEN = sayAuthn('invalidSecurityToken');
/** How long a signer (which holds the secret and the derived signing keys) is kept: secrets in memory get a bounded lifetime. */
const SIGNER_TTL_MS = 5 * 60 * 1000;
/** Expired signers are dropped by the first request after each such interval. */
const SIGNER_SWEEP_MS = 10_000;

export class SigV4Verifier {
  readonly #credentials: CredentialResolver;
  readonly #clock: Clock;
  readonly #maxSkewMs: number;
  readonly #signers = new Map<string, { secret: string; signer: RequestSigner; expiresAt: number }>();
  #nextSweep = 0;

  constructor(options: { credentials: CredentialResolver; clock: Clock; maxSkewMs?: number }) {
    this.#credentials = options.credentials;
    this.#clock = options.clock;
    this.#maxSkewMs = options.maxSkewMs ?? FIFTEEN_MINUTES_MS;
  }

  /** Verifies `request`, signed for `service` (the signing name in its credential scope; `kms` unless told). */
  async verify(request: SignedHttpRequest, service = 'kms'): Promise<VerifiedCaller> {
    const authorization = request.headers['authorization'];
    if (authorization === undefined || authorization.trim() === '') {
      throw new MissingAuthenticationTokenException(sayAuthn('missingAuthenticationToken'));
    }
    const amzDate = request.headers['x-amz-date'];
    const auth = parseAuthorizationHeader(authorization, amzDate !== undefined || request.headers['date'] !== undefined, service);
    /*
     * Precondition: the timestamp travels in X-Amz-Date, as every AWS SDK and the CLI send it.
     * SigV4 also allows the Date header (in another format); this service does not read it, and
     * says so rather than answering with a signature mismatch.
     */
    if (amzDate === undefined) {
      throw new IncompleteSignatureException(sayAuthn('dateHeaderNotSupported'));
    }
    const signingDate = parseAmzDate(amzDate);
    const dateStamp = amzDate.slice(0, 8);
    if (auth.scopeDate !== dateStamp) {
      throw new InvalidSignatureException(sayAuthn('scopeDateMismatch', { scopeDate: auth.scopeDate, dateStamp, amzDate }));
    }
    this.#assertFresh(signingDate, amzDate);
    const signedHeaders = new Set(auth.signedHeaders);
    assertRequiredHeadersSigned(signedHeaders, request.headers);
    /* Precondition: only a well-formed access key ID is looked up; anything else is an unknown key. */
    needs(ACCESS_KEY_ID.test(auth.accessKeyId), INVALID_TOKEN, UnrecognizedClientException);
    const credential = await this.#credentials.resolve(auth.accessKeyId);
    const token = request.headers['x-amz-security-token'];
    /* Precondition: the access key is known and active, and a session token comes with temporary credentials only. */
    needs(credential !== undefined && (credential.session === undefined) === (token === undefined), INVALID_TOKEN, UnrecognizedClientException);
    if (credential.session !== undefined && token !== undefined) {
      /* Precondition: the session token is the one issued with the temporary credentials. */
      needs(constantTimeEquals(sha256Hex(token), credential.session.tokenHash), INVALID_TOKEN, UnrecognizedClientException);
      /* Precondition: temporary credentials are used before they expire. */
      needs(this.#clock.now().getTime() < credential.session.expiresAt, sayAuthn('expiredSecurityToken'), ExpiredTokenException);
    }
    const bodyHash = sha256Hex(request.body);
    const declaredHash = request.headers['x-amz-content-sha256'];
    /* Precondition: a declared payload hash is the hash of the body that arrived. */
    needs(
      declaredHash === undefined || declaredHash === UNSIGNED_PAYLOAD || declaredHash.toLowerCase() === bodyHash,
      sayAuthn('payloadHashMismatch'),
      InvalidSignatureException,
    );
    // The body is always part of the signature, whatever x-amz-content-sha256 says (UNSIGNED-PAYLOAD included).
    const expected = this.#signerFor(credential, auth, service).signatureOf(request, signedHeaders, bodyHash, signingDate);
    /* Precondition: the signature is the one computed over the request as it arrived. */
    needs(constantTimeEquals(expected, auth.signature), sayAuthn('signatureMismatch'), InvalidSignatureException);
    return { principal: credential.principal, region: auth.region };
  }

  /**
   * One signer per access key and Region: the signer keeps the derived signing key per day,
   * which saves four HMACs on every request after the first of the day.
   */
  #signerFor(credential: ResolvedCredential, auth: ParsedAuthorization, service: string): RequestSigner {
    const cacheKey = `${auth.accessKeyId}/${auth.region}/${service}`;
    const cached = this.#signers.get(cacheKey);
    const now = this.#clock.now().getTime();
    if (now >= this.#nextSweep) {
      this.#nextSweep = now + SIGNER_SWEEP_MS;
      for (const [key, entry] of this.#signers) if (entry.expiresAt <= now) this.#signers.delete(key);
    }
    if (cached !== undefined && cached.secret === credential.secretAccessKey && cached.expiresAt > now) return cached.signer;
    if (this.#signers.size >= MAX_CACHED_SIGNERS) this.#signers.clear();
    const signer = new RequestSigner({ accessKeyId: auth.accessKeyId, secretAccessKey: credential.secretAccessKey }, auth.region, service);
    this.#signers.set(cacheKey, { secret: credential.secretAccessKey, signer, expiresAt: now + SIGNER_TTL_MS });
    return signer;
  }

  #assertFresh(signingDate: Date, amzDate: string): void {
    const now = this.#clock.now();
    const earliest = new Date(now.getTime() - this.#maxSkewMs);
    const latest = new Date(now.getTime() + this.#maxSkewMs);
    if (signingDate < earliest) {
      throw new InvalidSignatureException(sayAuthn('signatureExpired', { amzDate, earliest: formatAmzDate(earliest), now: formatAmzDate(now) }));
    }
    if (signingDate > latest) {
      throw new InvalidSignatureException(sayAuthn('signatureNotYetCurrent', { amzDate, latest: formatAmzDate(latest), now: formatAmzDate(now) }));
    }
  }
}

function constantTimeEquals(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
