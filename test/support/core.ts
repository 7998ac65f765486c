import type { OperationName, OperationIO } from '../../src/models/kms/generated/operations.js';
import type { Principal, RequestContext } from '../../src/core/request-context.js';
import type { AliasRecord, BackingKeyRecord, KeyRecord } from '../../src/core/kms/records.js';
import type { AsymmetricKeyMaterial, GeneratedKey, KeyLocator } from '../../src/core/ports/index.js';
import type { AlgorithmSpec, KeySpec, WrappingKeySpec } from '../../src/models/kms/generated/shapes.js';
import { encodeImportToken, importTokenAad, importTokenBytes } from '../../src/core/kms/import/import-token.js';
import { isAsymmetricSpec, isHmacSpec } from '../../src/core/kms/keys/key-specs.js';
import { TouchedResources, type CoreDeps, type OperationCall, type OperationHandler } from '../../src/core/kms/service.js';
import { FakeClock } from './fake-clock.js';
import { FakeAsymmetricMaterial } from './fake-asymmetric-material.js';
import { FakeKeyMaterial } from './fake-key-material.js';
import { FakeKeyImport } from './fake-key-import.js';
import { InMemoryStore } from './in-memory-store.js';
import { SequentialIds } from './sequential-ids.js';
import { LocalScheduler, type Timers } from '../../src/adapters/scheduler/local-scheduler.js';

/** Timers that fire only when a test says so. */
export class ManualTimers implements Timers {
  readonly armed = new Map<number, { readonly run: () => void; readonly ms: number }>();
  #next = 1;
  setTimeout(run: () => void, ms: number): unknown {
    const handle = this.#next++;
    this.armed.set(handle, { run, ms });
    return handle;
  }
  clearTimeout(handle: unknown): void {
    this.armed.delete(handle as number);
  }
  /** Fires every armed timer once. */
  fireAll(): void {
    const due = [...this.armed.values()];
    this.armed.clear();
    for (const timer of due) timer.run();
  }
}
import { InMemoryIdentityDirectory, makeAccess } from './identity-directory.js';
import { CoalescingUsageLog } from '../../src/adapters/usage/coalescing-usage-log.js';
import { runDueWork, type DueWorkOutcome } from '../../src/core/kms/lifecycle/due-work.js';
import { StoredGrantLookup } from '../../src/core/kms/grants/stored-grant-lookup.js';
import { defaultKeyPolicy } from '../../src/core/kms/keys/default-key-policy.js';

export const ACCOUNT_ID = '111122223333';
export const OTHER_ACCOUNT_ID = '444455556666';
export const REGION = 'us-east-1';

export function makePrincipal(overrides: Partial<Principal> = {}): Principal {
  const accountId = overrides.accountId ?? ACCOUNT_ID;
  return {
    type: 'Root',
    accountId,
    arn: `arn:aws:iam::${accountId}:root`,
    principalId: accountId,
    accessKeyId: 'AKIAEXAMPLEROOT00001',
    ...overrides,
  };
}

export function makeContext(overrides: Partial<RequestContext> = {}): RequestContext {
  return {
    requestId: 'request-1',
    principal: makePrincipal(),
    region: REGION,
    sourceIp: '203.0.113.7',
    userAgent: 'test-agent',
    ...overrides,
  };
}

/** The core's dependencies backed by in-memory fakes, with handles on each fake. */
export interface CoreHarness {
  readonly deps: CoreDeps;
  readonly scheduler: LocalScheduler;
  readonly timers: ManualTimers;
  readonly store: InMemoryStore;
  readonly material: FakeKeyMaterial;
  readonly keyImport: FakeKeyImport;
  readonly clock: FakeClock;
  readonly ids: SequentialIds;
  readonly identities: InMemoryIdentityDirectory;
  readonly usage: CoalescingUsageLog;
}

export function makeCore(identities = new InMemoryIdentityDirectory()): CoreHarness {
  const store = new InMemoryStore();
  const material = new FakeKeyMaterial();
  const clock = new FakeClock();
  const ids = new SequentialIds();
  const asymmetric = new FakeAsymmetricMaterial();
  const keyImport = new FakeKeyImport(material, asymmetric);
  const timers = new ManualTimers();
  const scheduler = new LocalScheduler({ clock, index: store, timers });
  const lifecycle = { scheduler, removal: store };
  const access = makeAccess({ identities, grants: new StoredGrantLookup(store) });
  const usage = new CoalescingUsageLog({ store, clock, timers: new ManualTimers() });
  return {
    deps: { keys: store, aliases: store, grants: store, material, asymmetric, keyImport, clock, ids, access, lifecycle, usage },
    store, material, keyImport, clock, ids, identities, scheduler, timers, usage,
  };
}

/** Runs a key's due lifecycle work through the harness's lifecycle, as a scheduler would. */
export function dueWorkRunner(core: CoreHarness): (locator: KeyLocator) => Promise<DueWorkOutcome> {
  const { lifecycle } = core.deps;
  if (lifecycle === undefined) throw new Error('no lifecycle');
  return (locator) => runDueWork(core.deps, lifecycle, locator);
}

export function makeKeyId(n: number): string {
  return `1234abcd-12ab-34cd-56ef-${n.toString(16).padStart(12, '0')}`;
}

/** A stored key record; an Enabled symmetric key of ACCOUNT_ID in REGION unless overridden. */
export function makeKey(overrides: Partial<KeyRecord> = {}): KeyRecord {
  const accountId = overrides.accountId ?? ACCOUNT_ID;
  const region = overrides.region ?? REGION;
  const keyId = overrides.keyId ?? makeKeyId(1);
  return {
    keyId,
    arn: `arn:aws:kms:${region}:${accountId}:key/${keyId}`,
    accountId,
    region,
    description: '',
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    origin: 'AWS_KMS',
    keyState: 'Enabled',
    creationDate: Date.parse('2024-01-01T00:00:00Z'),
    currentBackingKeyId: 'ab'.repeat(32),
    tags: [],
    multiRegion: false,
    policy: defaultKeyPolicy(accountId),
    revision: 1,
    ...overrides,
  };
}

/** Stores `makeKey(overrides)` with a real backing key, so it can encrypt and decrypt. */
export async function seedKey(harness: CoreHarness, overrides: Partial<KeyRecord> = {}): Promise<KeyRecord> {
  const key = makeKey(overrides);
  const backingKey: BackingKeyRecord = {
    keyId: key.keyId,
    accountId: key.accountId,
    region: key.region,
    backingKeyId: key.currentBackingKeyId,
    wrappedMaterial: await harness.material.generateSymmetricKey(),
    creationDate: key.creationDate,
  };
  harness.store.putKey(key, backingKey);
  return key;
}

export function makeAlias(overrides: Partial<AliasRecord> = {}): AliasRecord {
  return {
    aliasName: 'alias/test',
    accountId: ACCOUNT_ID,
    region: REGION,
    targetKeyId: makeKeyId(1),
    creationDate: Date.parse('2024-01-02T00:00:00Z'),
    lastUpdatedDate: Date.parse('2024-01-02T00:00:00Z'),
    ...overrides,
  };
}

export function makeCall<I>(harness: CoreHarness, input: I, ctx: RequestContext = makeContext()): OperationCall<I> {
  return { deps: harness.deps, ctx, input, touched: new TouchedResources() };
}

/** Runs an operation handler with the harness and returns its output and the touched ARNs. */
export async function runHandler<Op extends OperationName>(
  harness: CoreHarness,
  handler: OperationHandler<Op>,
  input: OperationIO[Op]['input'],
  ctx: RequestContext = makeContext(),
): Promise<OperationIO[Op]['output']> {
  return handler(makeCall(harness, input, ctx));
}

/** The error a promise or function rejects with (fails the test when it does not). */
export async function caught(action: Promise<unknown> | (() => unknown)): Promise<Error> {
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`threw a non-Error: ${String(error)}`, { cause: error });
  }
  throw new Error('expected an error, but none was thrown');
}

export function caughtSync(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`threw a non-Error: ${String(error)}`, { cause: error });
  }
  throw new Error('expected an error, but none was thrown');
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** The same harness with another asymmetric key material (e.g. a stub for specs the fake does not make). */
export function withAsymmetric(harness: CoreHarness, asymmetric: AsymmetricKeyMaterial): CoreHarness {
  return { ...harness, deps: { ...harness.deps, asymmetric } };
}

type AsymmetricMaterial = GeneratedKey & { readonly publicKey?: Uint8Array };
const materialBySpec = new Map<KeySpec, Promise<AsymmetricMaterial>>();

/** Key pair or HMAC key of the fake for `spec`, made once per test file and reused, as RSA key generation is slow. */
function sharedMaterial(spec: KeySpec): Promise<AsymmetricMaterial> {
  let material = materialBySpec.get(spec);
  if (material === undefined) {
    const fake = new FakeAsymmetricMaterial();
    if (isHmacSpec(spec)) material = fake.generateMacKey(spec);
    else if (isAsymmetricSpec(spec)) material = fake.generateKeyPair(spec);
    else throw new Error(`${spec} is not an asymmetric or HMAC key spec`);
    materialBySpec.set(spec, material);
  }
  return material;
}

/**
 * Stores `makeKey(overrides)` for an asymmetric or HMAC key spec with real material from the
 * fake asymmetric key material, so it can sign, encrypt, MAC or agree keys.
 */
export async function seedAsymmetricKey(
  harness: CoreHarness,
  overrides: Partial<KeyRecord> & Pick<KeyRecord, 'keySpec' | 'keyUsage'>,
): Promise<KeyRecord> {
  const key = makeKey(overrides);
  const material = await sharedMaterial(key.keySpec);
  const backingKey: BackingKeyRecord = {
    keyId: key.keyId,
    accountId: key.accountId,
    region: key.region,
    backingKeyId: key.currentBackingKeyId,
    wrappedMaterial: material.wrappedMaterial,
    tier: material.tier,
    ...(material.publicKey === undefined ? {} : { publicKey: material.publicKey }),
    creationDate: key.creationDate,
  };
  harness.store.putKey(key, backingKey);
  return key;
}

/**
 * GetParametersForImport's answer for `key` without calling it (so it works in any key state):
 * a wrapping public key of the fake and an import token sealed as the core seals them.
 */
export async function importParametersFor(
  core: CoreHarness, key: KeyRecord,
  options: { readonly algorithm?: AlgorithmSpec; readonly wrappingKeySpec?: WrappingKeySpec; readonly validTo?: number } = {},
): Promise<{ ImportToken: Uint8Array; PublicKey: Uint8Array }> {
  const wrappingKeySpec = options.wrappingKeySpec ?? 'RSA_2048';
  const pair = await core.keyImport.generateWrappingKeyPair(wrappingKeySpec);
  const payload = encodeImportToken({
    wrappingKeySpec, algorithm: options.algorithm ?? 'RSAES_OAEP_SHA_256', validTo: options.validTo ?? core.clock.now().getTime() + 86_400_000,
    wrappedPrivateKey: pair.wrappedPrivateKey,
  });
  const sealed = await core.material.sealSecret(payload, importTokenAad(key.arn));
  return { ImportToken: importTokenBytes(sealed), PublicKey: pair.publicKey };
}
