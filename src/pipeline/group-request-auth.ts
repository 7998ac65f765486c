/**
 * Authenticates requests from the front function to the group functions. A group function acts
 * on the principal and Region named in its invoke payload, so anything that can invoke it could
 * otherwise act as any account. The front signs each request with HMAC-SHA256 under a key only
 * the front and the groups can read; a group runs a request only when the MAC verifies, the
 * request is meant for that group, it is fresh, and its request ID has not been seen before.
 *
 * Written by hand because it is ours: a MAC over one JSON string, a freshness window and a
 * bounded replay memory; node:crypto supplies HMAC and the constant-time comparison.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/ports/index.js';
import type { Principal, RequestContext, RoleSession } from '../core/request-context.js';
import { OPERATION_NAMES } from '../models/kms/generated/operations.js';
import type { FunctionGroup, GroupRequest, SignedClaims, SignedGroupRequest } from './group-protocol.js';
import { QUERY_SERVICES } from './query-services.js';

/** Domain separation: this key signs nothing else. */
const MAC_LABEL = 'open-kms group request v1\n';
const MAC_BYTES = 32;
/** A base64 MAC of 32 bytes has 44 characters; anything much longer is not one. */
const MAX_MAC_CHARS = 64;
/** Shortest key accepted: 256 bits. */
export const MIN_KEY_BYTES = 32;

/** Oldest request a group runs: above Lambda's longest cold start, below nothing the front still waits for. */
export const DEFAULT_MAX_AGE_MS = 30_000;
/** How far ahead of the group's clock the front's clock may run. */
export const DEFAULT_MAX_FUTURE_MS = 5_000;
/** Request IDs remembered per function instance; far above what one instance runs in a window. */
export const DEFAULT_REPLAY_CAPACITY = 10_000;

/** Why a group refused a payload; logged, never answered. */
export type RefusalReason =
  | 'malformed-envelope'
  | 'bad-mac'
  | 'malformed-claims'
  | 'wrong-group'
  | 'stale'
  | 'from-the-future'
  | 'replayed';

export type GroupRequestCheck =
  | { readonly ok: true; readonly request: GroupRequest }
  | { readonly ok: false; readonly reason: RefusalReason; readonly requestId?: string };

/** The key from the deployment's secret (its UTF-8 bytes); refuses keys shorter than 256 bits. */
export function groupRequestKeyFrom(secret: string): Uint8Array {
  const key = new TextEncoder().encode(secret);
  if (key.length < MIN_KEY_BYTES) throw new Error(`the group-request key has ${key.length} bytes; at least ${MIN_KEY_BYTES} are needed`);
  return key;
}

/** A fresh random key, for a process that runs the front and the groups itself (local mode). */
export function randomGroupRequestKey(): Uint8Array {
  return new Uint8Array(randomBytes(MIN_KEY_BYTES));
}

function macOf(key: Uint8Array, payload: string): Buffer {
  return createHmac('sha256', key).update(MAC_LABEL).update(payload, 'utf8').digest();
}

/** The front's side: signs each request for the group it is sent to. */
export class GroupRequestSigner {
  readonly #key: Uint8Array;
  readonly #clock: Clock;

  constructor(options: { readonly key: Uint8Array; readonly clock: Clock }) {
    this.#key = options.key;
    this.#clock = options.clock;
  }

  sign(group: FunctionGroup, request: GroupRequest): SignedGroupRequest {
    const claims: SignedClaims = {
      group,
      operation: request.operation,
      body: request.body,
      context: request.context,
      issuedAt: this.#clock.now().getTime(),
    };
    const payload = JSON.stringify(claims);
    return { v: 1, payload, mac: macOf(this.#key, payload).toString('base64') };
  }
}

/** A group function's side: one per function instance, since it remembers the request IDs it ran. */
export class GroupRequestVerifier {
  readonly #key: Uint8Array;
  readonly #clock: Clock;
  readonly #maxAgeMs: number;
  readonly #maxFutureMs: number;
  readonly #seen: SeenRequests;

  constructor(options: {
    readonly key: Uint8Array;
    readonly clock: Clock;
    readonly maxAgeMs?: number;
    readonly maxFutureMs?: number;
    readonly replayCapacity?: number;
  }) {
    this.#key = options.key;
    this.#clock = options.clock;
    this.#maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.#maxFutureMs = options.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS;
    this.#seen = new SeenRequests(options.replayCapacity ?? DEFAULT_REPLAY_CAPACITY, this.#maxAgeMs);
  }

  /** Checks an invoke payload for `group`; nothing in it is read before its MAC verifies. */
  verify(group: FunctionGroup, event: unknown): GroupRequestCheck {
    /* Precondition: the payload is a signed group request. */
    if (!isEnvelope(event)) return { ok: false, reason: 'malformed-envelope' };
    /* Precondition: the MAC proves the front made the payload (constant-time comparison). */
    const given = Buffer.from(event.mac, 'base64');
    const expected = macOf(this.#key, event.payload);
    if (given.length !== MAC_BYTES || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-mac' };
    const claims = parseClaims(event.payload);
    if (claims === undefined) return { ok: false, reason: 'malformed-claims' };
    const requestId = claims.context.requestId;
    /* Precondition: a request signed for one group does not run in another. */
    if (claims.group !== group) return { ok: false, reason: 'wrong-group', requestId };
    const now = this.#clock.now().getTime();
    /* Precondition: a group runs only requests signed within the freshness window. */
    if (claims.issuedAt < now - this.#maxAgeMs) return { ok: false, reason: 'stale', requestId };
    if (claims.issuedAt > now + this.#maxFutureMs) return { ok: false, reason: 'from-the-future', requestId };
    /* Precondition: a group runs each request ID once. */
    if (!this.#seen.add(requestId, claims.issuedAt, now)) return { ok: false, reason: 'replayed', requestId };
    return { ok: true, request: { operation: claims.operation, body: claims.body, context: claims.context } };
  }
}

/**
 * Request IDs run within the freshness window, in memory bounded by `capacity`. Forgetting is
 * safe: whatever leaves the memory raises a floor, and a request issued at or before the floor
 * is refused, since it may be one that was forgotten. Entries leave when they become stale
 * (such requests are refused anyway) or, past `capacity`, oldest first.
 */
class SeenRequests {
  readonly #issuedAt = new Map<string, number>();
  #floor = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly capacity: number,
    private readonly maxAgeMs: number,
  ) {}

  /** Remembers the request; false when it was seen before or may have been. */
  add(requestId: string, issuedAt: number, now: number): boolean {
    this.#forgetStale(now);
    if (issuedAt <= this.#floor || this.#issuedAt.has(requestId)) return false;
    this.#issuedAt.set(requestId, issuedAt);
    while (this.#issuedAt.size > this.capacity) this.#forgetOldest();
    return true;
  }

  #forgetStale(now: number): void {
    // Insertion order is close to issue order, so stale entries sit at the front.
    for (const [requestId, issuedAt] of this.#issuedAt) {
      if (issuedAt >= now - this.maxAgeMs) break;
      this.#forget(requestId, issuedAt);
    }
  }

  #forgetOldest(): void {
    const oldest = this.#issuedAt.entries().next();
    if (oldest.done !== true) this.#forget(...oldest.value);
  }

  #forget(requestId: string, issuedAt: number): void {
    this.#issuedAt.delete(requestId);
    this.#floor = Math.max(this.#floor, issuedAt);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEnvelope(value: unknown): value is SignedGroupRequest {
  return isRecord(value) && value['v'] === 1 && typeof value['payload'] === 'string'
    && typeof value['mac'] === 'string' && value['mac'].length <= MAX_MAC_CHARS;
}

const OPERATIONS = new Set<string>([
  ...OPERATION_NAMES,
  ...Object.entries(QUERY_SERVICES).flatMap(([service, entry]) => [...entry.operations].map((operation) => `${service}:${operation}`)),
]);
const PRINCIPAL_TYPES = new Set<string>(['Root', 'IAMUser', 'AssumedRole'] satisfies Principal['type'][]);

/**
 * The claims of an authentic payload, rebuilt from known fields only. A payload the front made
 * always passes; this guards against a front and a group of different versions.
 */
function parseClaims(payload: string): SignedClaims | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  const { group, operation, body, context, issuedAt } = value;
  if (typeof group !== 'string' || typeof operation !== 'string' || !OPERATIONS.has(operation) || typeof body !== 'string') return undefined;
  if (typeof issuedAt !== 'number' || !Number.isFinite(issuedAt)) return undefined;
  const requestContext = parseContext(context);
  if (requestContext === undefined) return undefined;
  return { group: group as FunctionGroup, operation: operation as GroupRequest['operation'], body, context: requestContext, issuedAt };
}

function parseContext(value: unknown): RequestContext | undefined {
  if (!isRecord(value) || !isRecord(value['principal'])) return undefined;
  const { requestId, region, sourceIp, userAgent, vpcEndpointId, vpcId, secureTransport } = value;
  const { type, accountId, arn, principalId, accessKeyId, userName, tags, session } = value['principal'];
  const strings = [requestId, region, sourceIp, userAgent, accountId, arn, principalId, accessKeyId];
  if (!strings.every((field) => typeof field === 'string')) return undefined;
  if (typeof type !== 'string' || !PRINCIPAL_TYPES.has(type)) return undefined;
  if (![vpcEndpointId, vpcId, userName].every((field) => field === undefined || typeof field === 'string')) return undefined;
  if (secureTransport !== undefined && typeof secureTransport !== 'boolean') return undefined;
  if (tags !== undefined && !isStringRecord(tags)) return undefined;
  const roleSession = session === undefined ? undefined : parseSession(session);
  if (session !== undefined && roleSession === undefined) return undefined;
  const principal = {
    type, accountId, arn, principalId, accessKeyId,
    ...(userName === undefined ? {} : { userName }),
    ...(tags === undefined ? {} : { tags }),
    ...(roleSession === undefined ? {} : { session: roleSession }),
  } as Principal;
  return {
    requestId: requestId as string,
    principal,
    region: region as string,
    sourceIp: sourceIp as string,
    userAgent: userAgent as string,
    ...(vpcEndpointId === undefined ? {} : { vpcEndpointId: vpcEndpointId as string }),
    ...(vpcId === undefined ? {} : { vpcId: vpcId as string }),
    ...(secureTransport === undefined ? {} : { secureTransport }),
  };
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((v) => typeof v === 'string');
}

function parseSession(value: unknown): RoleSession | undefined {
  if (!isRecord(value)) return undefined;
  const { roleArn, roleName, roleId, sessionName, issuedAt, expiresAt, sourceIdentity } = value;
  if (![roleArn, roleName, roleId, sessionName].every((field) => typeof field === 'string')) return undefined;
  if (typeof issuedAt !== 'number' || typeof expiresAt !== 'number') return undefined;
  if (sourceIdentity !== undefined && typeof sourceIdentity !== 'string') return undefined;
  return {
    roleArn: roleArn as string, roleName: roleName as string, roleId: roleId as string, sessionName: sessionName as string, issuedAt, expiresAt,
    ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
  };
}
