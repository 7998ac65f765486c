/** Principals, keys and a runner shared by the policy engine's tests. */
import { authorize, type Decision } from '../../../src/core/authz/authorize.js';
import { compilePolicy } from '../../../src/core/authz/compile-policy.js';
import type { ConditionKeys, RequestEnvironment } from '../../../src/core/authz/condition-keys.js';
import type { GrantRecord, RequestedGrant } from '../../../src/core/authz/grants.js';
import { encryptionContextOf, kmsConditionKeys } from '../../../src/core/authz/kms-condition-keys.js';
import { parsePolicy } from '../../../src/core/authz/parse-policy.js';
import type { AuthzPrincipal } from '../../../src/core/authz/principals.js';
import type { KeyRecord } from '../../../src/core/kms/records.js';

export const ACCOUNT = '111122223333';
export const OTHER = '444455556666';
export const REGION = 'us-west-2';
export const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
export const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${KEY_ID}`;
export const OTHER_KEY_ARN = `arn:aws:kms:${REGION}:${OTHER}:key/0987dcba-09fe-87dc-65ba-ab0987654321`;
export const ALIAS_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:alias/test-key`;

export const PRINCIPALS = {
  alice: { type: 'IAMUser', accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/Alice` },
  bob: { type: 'IAMUser', accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/bob` },
  root: { type: 'Root', accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root` },
  session: { type: 'AssumedRole', accountId: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ExampleRole/app`, roleArn: `arn:aws:iam::${ACCOUNT}:role/ExampleRole` },
  carol: { type: 'IAMUser', accountId: OTHER, arn: `arn:aws:iam::${OTHER}:user/Carol` },
  otherRoot: { type: 'Root', accountId: OTHER, arn: `arn:aws:iam::${OTHER}:root` },
  engineer: { type: 'AssumedRole', accountId: OTHER, arn: `arn:aws:sts::${OTHER}:assumed-role/Engineering/bob`, roleArn: `arn:aws:iam::${OTHER}:role/Engineering` },
} as const satisfies Record<string, AuthzPrincipal>;

export type PrincipalName = keyof typeof PRINCIPALS;

export function makeKey(overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    keyId: KEY_ID, arn: KEY_ARN, accountId: ACCOUNT, region: REGION, description: '', keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS', keyState: 'Enabled', creationDate: 0, currentBackingKeyId: 'b',
    tags: [], multiRegion: false, policy: '', revision: 1, ...overrides,
  };
}

export function environment(principal: AuthzPrincipal, overrides: Partial<RequestEnvironment> = {}): RequestEnvironment {
  return {
    principal, principalId: principal.type === 'Root' ? principal.accountId : 'AIDAEXAMPLE',
    ...(principal.type === 'IAMUser' ? { username: principal.arn.split('/').pop() ?? '' } : {}),
    region: REGION, sourceIp: '203.0.113.10', secureTransport: true, now: new Date('2024-06-01T12:00:00Z'), ...overrides,
  };
}

export type Expectation = 'allow' | 'implicit identity-based' | 'implicit resource-based' | 'implicit VPC endpoint'
  | 'explicit identity-based' | 'explicit resource-based' | 'explicit VPC endpoint';

/** One request against one set of policies. Documents may be objects or JSON text. */
export interface Scenario {
  readonly principal?: PrincipalName;
  readonly action?: string;
  /** `key` (default), `otherKey` (a key of account 444455556666), `alias`, or `none`. */
  readonly resource?: 'key' | 'otherKey' | 'alias' | 'none';
  readonly keyPolicy?: unknown;
  readonly identityPolicies?: readonly unknown[];
  readonly vpcEndpointPolicy?: unknown;
  readonly grants?: readonly GrantRecord[];
  readonly requestedGrant?: RequestedGrant;
  readonly input?: Record<string, unknown>;
  readonly key?: Partial<KeyRecord>;
  readonly keyAliases?: readonly string[];
  readonly env?: Partial<RequestEnvironment>;
  /** Condition keys set (or, with `null`, removed) after the builders ran. */
  readonly context?: Record<string, string | readonly string[] | null>;
}

function text(document: unknown): string {
  return typeof document === 'string' ? document : JSON.stringify(document);
}

export function conditionKeysFor(scenario: Scenario): ConditionKeys {
  const principal = PRINCIPALS[scenario.principal ?? 'alice'];
  const action = scenario.action ?? 'kms:Encrypt';
  const resource = scenario.resource ?? 'key';
  const keyArn = resource === 'otherKey' ? OTHER_KEY_ARN : KEY_ARN;
  const onKey = resource === 'key' || resource === 'otherKey';
  const key = onKey ? makeKey({ arn: keyArn, accountId: resource === 'otherKey' ? OTHER : ACCOUNT, ...scenario.key }) : undefined;
  const built = kmsConditionKeys(environment(principal, scenario.env), action, scenario.input ?? {}, {
    ...(key === undefined ? {} : { key }), ...(scenario.keyAliases === undefined ? {} : { keyAliases: scenario.keyAliases }),
  });
  const keys = new Map(built);
  for (const [name, value] of Object.entries(scenario.context ?? {})) {
    if (value === null) keys.delete(name.toLowerCase());
    else keys.set(name.toLowerCase(), typeof value === 'string' ? [value] : value);
  }
  return keys;
}

export function decide(scenario: Scenario): Decision {
  const principal = PRINCIPALS[scenario.principal ?? 'alice'];
  const action = scenario.action ?? 'kms:Encrypt';
  const resource = scenario.resource ?? 'key';
  const arn = resource === 'otherKey' ? OTHER_KEY_ARN : resource === 'alias' ? ALIAS_ARN : resource === 'key' ? KEY_ARN : `arn:aws:kms:${REGION}:${principal.accountId}:*`;
  const accountId = resource === 'otherKey' ? OTHER : resource === 'none' ? principal.accountId : ACCOUNT;
  const context = scenario.input === undefined ? undefined : encryptionContextOf(action, scenario.input);
  return authorize({
    principal, action,
    resource: { type: resource === 'otherKey' ? 'key' : resource, arn, accountId },
    conditionKeys: conditionKeysFor(scenario),
    ...(scenario.keyPolicy === undefined ? {} : { keyPolicy: { policy: compilePolicy(parsePolicy(text(scenario.keyPolicy), { kind: 'key' })), name: 'default' } }),
    identityPolicies: (scenario.identityPolicies ?? []).map((p, i) => ({ policy: compilePolicy(parsePolicy(text(p), { kind: 'identity' })), name: `policy-${i}`, arn: `arn:aws:iam::${principal.accountId}:policy/policy-${i}` })),
    ...(scenario.vpcEndpointPolicy === undefined ? {} : { vpcEndpointPolicy: { policy: compilePolicy(parsePolicy(text(scenario.vpcEndpointPolicy), { kind: 'vpc-endpoint' })), name: 'vpce-0295a3caf8414c94a' } }),
    ...(scenario.grants === undefined ? {} : { grants: scenario.grants }),
    ...(context === undefined ? {} : { encryptionContext: context }),
    ...(scenario.requestedGrant === undefined ? {} : { requestedGrant: scenario.requestedGrant }),
  });
}

export function outcomeOf(decision: Decision): Expectation {
  if (decision.allowed) return 'allow';
  return `${decision.explicit ? 'explicit' : 'implicit'} ${decision.policyType}`;
}

/** The default key policy as a JSON object, for building other policies. */
export const ACCOUNT_STATEMENT = { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' };

export function keyPolicy(...statements: readonly object[]): object {
  return { Version: '2012-10-17', Statement: statements };
}

export function iamPolicy(...statements: readonly object[]): object {
  return { Version: '2012-10-17', Statement: statements };
}

export const ALLOW_ALL_IAM = iamPolicy({ Effect: 'Allow', Action: 'kms:*', Resource: '*' });
