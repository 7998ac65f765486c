/**
 * What the benchmark measures: one table of targets (the `--targets` names, the operation, key and
 * algorithm of each, and what its raw adapter loop runs), the IAM user and policies of the
 * `Encrypt (policies)` target, and the service side of every target: keys created through the API
 * and freshly signed requests for each cell, the first of them checked end to end.
 */
import { randomBytes } from 'node:crypto';
import type { IdentityDirectory, IdentityPolicy } from '../../src/core/ports/index.js';
import type { Principal } from '../../src/core/request-context.js';
import type { IamUserAccessKey } from '../../src/local/local-service.js';
import type { KeySpec, KeyUsageType, MacAlgorithmSpec, SigningAlgorithmSpec } from '../../src/models/kms/generated/shapes.js';
import { BenchFailure, probe, randomPlaintexts, type ReplayRequest, type RequestSigner } from './load.js';

/** Bytes of every plaintext encrypted and every message signed, verified or MACed. */
export const PAYLOAD_BYTES = 32;

export interface Target {
  /** The `--targets` name. */
  readonly id: string;
  /** Row label in the report, and `target` of the cells in the JSON. */
  readonly label: string;
  readonly operation: 'Encrypt' | 'Decrypt' | 'GenerateDataKey' | 'Sign' | 'Verify' | 'GenerateMac';
  readonly keySpec: KeySpec;
  readonly keyUsage: KeyUsageType;
  readonly algorithm?: SigningAlgorithmSpec | MacAlgorithmSpec;
  /** Where the service keeps keys of this spec with SoftHSM, and where the raw adapter loop runs. */
  readonly tier: 'token' | 'software';
  /** What the raw adapter loop beside this target's cells exercises. */
  readonly rawDescription: string;
  /** The IAM user under a 20-statement key policy and five IAM policies calls, instead of the account root. */
  readonly policyUser?: true;
  /** Each request names another of `--spread-keys` keys; created first, so the target runs only when named. */
  readonly spread?: true;
  /** The bare server answers instead of the service. */
  readonly floor?: true;
}

const AES_GCM = `AES-256-GCM encrypt of ${PAYLOAD_BYTES} B through the PKCS#11 adapter`;
const symmetric = { keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', tier: 'token', rawDescription: AES_GCM } as const;

/** Always measured first at each concurrency: signed Encrypt requests answered by the bare `node:http` server. */
export const HTTP_FLOOR: Target = { id: 'http-floor', label: 'HTTP floor', operation: 'Encrypt', ...symmetric, floor: true };

/** Every selectable target, in the order of the report. Symmetric ones share the raw AES-GCM loop; the others have their own. */
export const TARGETS: readonly Target[] = [
  { id: 'encrypt', label: 'Encrypt', operation: 'Encrypt', ...symmetric },
  { id: 'encrypt-policies', label: 'Encrypt (policies)', operation: 'Encrypt', ...symmetric, policyUser: true },
  { id: 'encrypt-spread', label: 'Encrypt spread', operation: 'Encrypt', ...symmetric, spread: true },
  { id: 'decrypt', label: 'Decrypt', operation: 'Decrypt', ...symmetric },
  { id: 'generate-data-key', label: 'GenerateDataKey', operation: 'GenerateDataKey', ...symmetric },
  { id: 'sign-rsa', label: 'Sign RSA_2048', operation: 'Sign', keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY', algorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
    tier: 'token', rawDescription: 'token tier: SHA-256 in Node, CKM_RSA_PKCS sign in PKCS#11' },
  { id: 'sign-ecdsa', label: 'Sign ECC_NIST_P256', operation: 'Sign', keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY', algorithm: 'ECDSA_SHA_256',
    tier: 'token', rawDescription: 'token tier: SHA-256 in Node, CKM_ECDSA sign in PKCS#11, DER encoding' },
  { id: 'sign-ed25519', label: 'Sign ECC_NIST_EDWARDS25519', operation: 'Sign', keySpec: 'ECC_NIST_EDWARDS25519', keyUsage: 'SIGN_VERIFY', algorithm: 'ED25519_SHA_512',
    tier: 'software', rawDescription: 'SOFTWARE tier: key unsealed with PKCS#11 AES-GCM, then pure Ed25519 with OpenSSL through node:crypto' },
  { id: 'verify-ecdsa', label: 'Verify ECC_NIST_P256', operation: 'Verify', keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY', algorithm: 'ECDSA_SHA_256',
    tier: 'token', rawDescription: 'token tier: SHA-256 in Node, CKM_ECDSA verify in PKCS#11 with the imported public key' },
  { id: 'mac-hmac', label: 'GenerateMac HMAC_256', operation: 'GenerateMac', keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC', algorithm: 'HMAC_SHA_256',
    tier: 'token', rawDescription: 'token tier: CKM_SHA256_HMAC in PKCS#11' },
];

/** Whether a target belongs to the asymmetric and HMAC section (its own raw loop and table). */
export const isAsymmetric = (target: Target): boolean => target.keySpec !== 'SYMMETRIC_DEFAULT';

/** Reads `--targets`: names, or the groups `symmetric`, `asymmetric`, `all` (which leave out `encrypt-spread`). */
export function selectTargets(text: string): Target[] {
  const chosen = new Set<Target>();
  for (const raw of text.split(',')) {
    const name = raw.trim().toLowerCase();
    const group = { all: TARGETS, symmetric: TARGETS.filter((t) => !isAsymmetric(t)), asymmetric: TARGETS.filter(isAsymmetric) }[name];
    const named = TARGETS.find((t) => t.id === name);
    if (group !== undefined) for (const t of group.filter((one) => one.spread !== true)) chosen.add(t);
    else if (named !== undefined) chosen.add(named);
    else if (name !== '') throw new BenchFailure(`unknown target "${raw.trim()}"; expected ${[...TARGETS.map((t) => t.id), 'symmetric', 'asymmetric', 'all'].join(', ')}.`);
  }
  if (chosen.size === 0) throw new BenchFailure('--targets selects nothing.');
  return TARGETS.filter((t) => chosen.has(t));
}

const ACCOUNT = '111122223333';
const BENCH_USER_ARN = `arn:aws:iam::${ACCOUNT}:user/bench`;
const LOOPBACK = ['127.0.0.0/8', '::1/128', '::ffff:127.0.0.0/104'];
/** The encryption context of every `Encrypt (policies)` request (the policies' conditions read it). */
const BENCH_CONTEXT = { AppName: 'ExampleApp', tenant: 't-42' };

/** Twenty statements: the account statement, admins, users (the bench user among them) with conditions, denies, grants, a variable. */
function benchKeyPolicy(): string {
  const statements: object[] = [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }];
  for (let i = 0; i < 8; i += 1) {
    statements.push({ Sid: `Admins${i}`, Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/Admin${i}` }, Action: ['kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*', 'kms:Disable*', 'kms:Get*', 'kms:Delete*'], Resource: '*' });
  }
  for (let i = 0; i < 8; i += 1) {
    statements.push({
      Sid: `Users${i}`, Effect: 'Allow', Principal: { AWS: i === 7 ? BENCH_USER_ARN : `arn:aws:iam::${ACCOUNT}:user/User${i}` },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'], Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:AppName': 'ExampleApp', 'kms:CallerAccount': ACCOUNT }, Bool: { 'aws:SecureTransport': 'false' } },
    });
  }
  statements.push({ Sid: 'DenyOutsideNetwork', Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': LOOPBACK }, Bool: { 'aws:ViaAWSService': 'false' } } });
  statements.push({ Sid: 'DenyOtherAlgorithms', Effect: 'Deny', Principal: '*', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*', Condition: { StringNotEquals: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' } } });
  statements.push({ Sid: 'Grants', Effect: 'Allow', Principal: { AWS: BENCH_USER_ARN }, Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'], Resource: '*', Condition: { Bool: { 'kms:GrantIsForAWSResource': true } } });
  statements.push({ Sid: 'TenantByVariable', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:tenant': '${aws:PrincipalTag/tenant}' } } });
  return JSON.stringify({ Version: '2012-10-17', Id: 'bench', Statement: statements });
}

const policy = (name: string, statement: object): IdentityPolicy =>
  ({ name, arn: `arn:aws:iam::${ACCOUNT}:policy/${name}`, version: 'v1', document: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }) });

/** Five attached IAM policies with conditions; the first allows the Encrypt the target makes. */
const BENCH_USER_POLICIES: readonly IdentityPolicy[] = [
  policy('UseAppKeys', { Sid: 'Use', Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: `arn:aws:kms:*:${ACCOUNT}:key/*`, Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' }, 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['AppName', 'tenant'] } } }),
  policy('DataKeys', { Sid: 'DataKeys', Effect: 'Allow', Action: 'kms:GenerateDataKey*', Resource: '*', Condition: { StringLike: { 'kms:EncryptionContext:AppName': 'Example*' } } }),
  policy('NoDeletion', { Sid: 'NoDeletion', Effect: 'Deny', Action: ['kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy'], Resource: '*' }),
  policy('ReadTagged', { Sid: 'ReadTagged', Effect: 'Allow', Action: ['kms:Describe*', 'kms:List*'], Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/Project': 'Alpha' } } }),
  policy('OnlyFromHere', { Sid: 'OnlyFromHere', Effect: 'Deny', Action: 'kms:*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': LOOPBACK } } }),
];

/** The bench user's directory for the local service: its five policies, and every principal the key policy names. */
export const benchIdentities: IdentityDirectory = {
  policiesFor: async (principal: Principal) => (principal.arn === BENCH_USER_ARN ? BENCH_USER_POLICIES : []),
  principalExists: async (arn: string) => arn === `arn:aws:iam::${ACCOUNT}:root` || arn.startsWith(`arn:aws:iam::${ACCOUNT}:user/`),
};

/** A fresh access key of the bench user. */
export function benchUserAccessKey(): IamUserAccessKey {
  return {
    accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64'),
    accountId: ACCOUNT, userArn: BENCH_USER_ARN, userId: 'AIDAEXAMPLEBENCHUSER',
  };
}

type Output = Record<string, unknown>;
const isBase64 = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** How one target's cells are loaded: where, signed by whom, and the i-th request's input given the cell's fresh payloads. */
interface Prepared {
  readonly url: string;
  readonly signer: RequestSigner;
  readonly count: number;
  readonly input: (index: number, payloads: readonly string[]) => object;
  readonly check: (output: Output) => boolean;
}

/** Where the cells send their requests, and who signs them. */
export interface TargetEndpoints {
  readonly service: string;
  readonly floor: string;
  readonly root: RequestSigner;
  readonly policyUser: RequestSigner;
}

/** The keys of every target (made once, up front) and a fresh set of signed requests for each cell. */
export class TargetRequests {
  readonly #prepared = new Map<Target, Prepared>();

  private constructor(private readonly endpoints: TargetEndpoints, private readonly signedCount: number) {}

  /** Creates the keys `targets` need through the API: one shared symmetric key, one per target that needs its own, `spreadKeys` for `Encrypt spread`. */
  static async prepare(endpoints: TargetEndpoints, targets: readonly Target[], options: { signedCount: number; spreadKeys: number }, log: (line: string) => void): Promise<TargetRequests> {
    const kit = new TargetRequests(endpoints, options.signedCount);
    const sharedKey = await kit.#createKey('CreateKey', { Description: 'benchmark key' }, 'SYMMETRIC_DEFAULT');
    log(`key ${sharedKey} created`);
    for (const target of targets) kit.#prepared.set(target, await kit.#prepare(target, sharedKey, options.spreadKeys, log));
    return kit;
  }

  /** Freshly signed requests for one cell of `target` (new plaintexts and messages), the first sent once and its answer checked. */
  async forCell(target: Target): Promise<{ url: string; requests: ReplayRequest[] }> {
    const prepared = this.#prepared.get(target);
    if (prepared === undefined) throw new BenchFailure(`no requests for target ${target.label}`);
    const payloads = randomPlaintexts(this.signedCount, PAYLOAD_BYTES);
    const requests = await prepared.signer.signMany(target.operation, prepared.count, (i) => prepared.input(i, payloads));
    await probe(prepared.url, requests[0] as ReplayRequest, target.label, prepared.check);
    return { url: prepared.url, requests };
  }

  async #createKey(what: string, input: object, keySpec: KeySpec): Promise<string> {
    const created = await probe(this.endpoints.service, await this.endpoints.root.sign('CreateKey', input), what, (out) => {
      const metadata = out['KeyMetadata'] as Output | undefined;
      return typeof metadata?.['KeyId'] === 'string' && metadata['KeySpec'] === keySpec;
    });
    return String((created['KeyMetadata'] as Output)['KeyId']);
  }

  async #prepare(target: Target, sharedKey: string, spreadKeys: number, log: (line: string) => void): Promise<Prepared> {
    const { service, floor, root, policyUser } = this.endpoints;
    const base = { url: target.floor === true ? floor : service, signer: target.policyUser === true ? policyUser : root, count: this.signedCount };
    const ownKey = isAsymmetric(target) || target.policyUser === true;
    const keyId = !ownKey ? sharedKey : await this.#createKey(`CreateKey ${target.label}`, {
      Description: `benchmark ${target.label}`, KeySpec: target.keySpec, KeyUsage: target.keyUsage,
      ...(target.policyUser === true ? { Policy: benchKeyPolicy(), Tags: [{ TagKey: 'Project', TagValue: 'Alpha' }] } : {}),
    }, target.keySpec);
    if (ownKey) log(`key ${keyId} for ${target.label} created${target.policyUser === true ? ' under a 20-statement key policy; its caller has 5 IAM policies' : ''}`);
    const { algorithm } = target;
    switch (target.operation) {
      case 'Encrypt': {
        const keys = target.spread === true ? await this.#createSpreadKeys(spreadKeys, log) : [keyId];
        const context = target.policyUser === true ? { EncryptionContext: BENCH_CONTEXT } : {};
        return {
          ...base, count: target.spread === true ? keys.length : base.count, check: (out) => isBase64(out['CiphertextBlob']),
          input: (i, payloads) => ({ KeyId: keys[i % keys.length], Plaintext: payloads[i % payloads.length], ...context }),
        };
      }
      case 'Decrypt': {
        const [plaintext] = randomPlaintexts(1, PAYLOAD_BYTES);
        const encrypted = await probe(service, await root.sign('Encrypt', { KeyId: keyId, Plaintext: plaintext }), 'Encrypt (setup of Decrypt)', (out) => isBase64(out['CiphertextBlob']));
        return { ...base, input: () => ({ CiphertextBlob: encrypted['CiphertextBlob'] }), check: (out) => out['Plaintext'] === plaintext };
      }
      case 'GenerateDataKey':
        return {
          ...base, input: () => ({ KeyId: keyId, KeySpec: 'AES_256' }),
          check: (out) => isBase64(out['CiphertextBlob']) && isBase64(out['Plaintext']) && Buffer.from(out['Plaintext'], 'base64').length === 32,
        };
      case 'Sign':
        return {
          ...base, input: (i, messages) => ({ KeyId: keyId, Message: messages[i], MessageType: 'RAW', SigningAlgorithm: algorithm }),
          check: (out) => isBase64(out['Signature']) && out['SigningAlgorithm'] === algorithm,
        };
      case 'Verify': {
        // Messages signed through the API once; every cell verifies them again.
        const cases: { Message: string; Signature: unknown }[] = [];
        for (const message of randomPlaintexts(this.signedCount, PAYLOAD_BYTES)) {
          const input = { KeyId: keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: algorithm };
          const signed = await probe(service, await root.sign('Sign', input), 'Sign (setup of Verify)', (out) => isBase64(out['Signature']));
          cases.push({ Message: message, Signature: signed['Signature'] });
        }
        return {
          ...base, input: (i) => ({ KeyId: keyId, MessageType: 'RAW', SigningAlgorithm: algorithm, ...cases[i % cases.length] }),
          check: (out) => out['SignatureValid'] === true,
        };
      }
      case 'GenerateMac':
        return {
          ...base, input: (i, messages) => ({ KeyId: keyId, Message: messages[i], MacAlgorithm: algorithm }),
          check: (out) => isBase64(out['Mac']) && Buffer.from(out['Mac'], 'base64').length === 32,
        };
    }
  }

  /** Creates `count` keys, eight at a time. */
  async #createSpreadKeys(count: number, log: (line: string) => void): Promise<string[]> {
    log(`creating ${count} keys for Encrypt spread ...`);
    const began = Date.now();
    const ids: string[] = [];
    let started = 0;
    const worker = async (): Promise<void> => {
      while (started < count) {
        started++;
        ids.push(await this.#createKey('CreateKey (spread)', { Description: 'benchmark spread key' }, 'SYMMETRIC_DEFAULT'));
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    log(`${count} keys created in ${((Date.now() - began) / 1000).toFixed(1)} s`);
    return ids;
  }
}
