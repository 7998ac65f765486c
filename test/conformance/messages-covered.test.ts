/**
 * Every message template of src/core/kms/messages.ts, src/authn/messages.ts,
 * src/core/authz/messages.ts, src/core/iam/messages.ts and src/core/errors/constraint-messages.ts
 * is exercised by a
 * conformance case, each case agrees with its template, and every template in this service's own
 * wording is listed in docs/differences-from-aws-kms.md.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUTHN_MESSAGES } from '../../src/authn/messages.js';
import { POLICY_MESSAGES } from '../../src/core/authz/messages.js';
import { CONSTRAINT_MESSAGES } from '../../src/core/errors/constraint-messages.js';
import { IAM_MESSAGES } from '../../src/core/iam/messages.js';
import * as IAM_ERRORS from '../../src/models/iam/generated/errors.js';
import * as STS_ERRORS from '../../src/models/sts/generated/errors.js';
import { KMS_MESSAGES, type MessageTemplate } from '../../src/core/kms/messages.js';
import { PIPELINE_CASES } from './pipeline-cases.js';
import { QUERY_CASES, type QueryFixtures } from './query-cases.js';
import { WIRE_CASES, type Fixtures, type WireMessageName } from './wire-cases.js';

const TABLES: readonly Readonly<Record<string, MessageTemplate>>[] = [KMS_MESSAGES, AUTHN_MESSAGES, POLICY_MESSAGES, IAM_MESSAGES, CONSTRAINT_MESSAGES];
const MESSAGES: Readonly<Record<WireMessageName, MessageTemplate>> = { ...KMS_MESSAGES, ...AUTHN_MESSAGES, ...POLICY_MESSAGES, ...IAM_MESSAGES, ...CONSTRAINT_MESSAGES };

const key = (n: number) => ({ keyId: `1234abcd-12ab-34cd-56ef-${String(n).padStart(12, '0')}`, arn: `arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-${String(n).padStart(12, '0')}` });
/** Stand-ins for the keys the suite makes: the expectations only quote them. */
const FIXTURES: Fixtures = {
  accountId: '111122223333', region: 'us-east-1', otherRegion: 'us-west-2',
  symmetric: key(1), disabled: key(2), hmac256: key(3), rsaEncrypt: key(4), rsaSign: key(5), eccSign: key(6), eccAgreement: key(7),
  mlDsa: key(8), ed25519: key(9), elsewhere: key(10), aliasName: 'alias/conformance', ciphertext: 'AA==', rsaSignature: 'AA==', eccPublicKey: 'AA==',
};

const QUERY_FIXTURES: QueryFixtures = {
  accountId: '111122223333', userName: 'u', userArn: 'arn:aws:iam::111122223333:user/u', roleName: 'r', roleArn: 'arn:aws:iam::111122223333:role/r',
  policyArn: 'arn:aws:iam::111122223333:policy/p', unattachedPolicyArn: 'arn:aws:iam::111122223333:policy/q', fullUserName: 'f',
  eleventhPolicyArn: 'arn:aws:iam::111122223333:policy/e', taggedUserName: 't',
};

/** The IAM or STS exception class whose wire code is `code` (`NoSuchEntity` → `NoSuchEntityException`). */
function wireClassOf(code: string): string | undefined {
  const classes = [...Object.entries(IAM_ERRORS), ...Object.entries(STS_ERRORS)]
    .filter(([, value]) => typeof value === 'function' && (value as unknown as { prototype: object }).prototype instanceof Error) as [string, new () => Error][];
  return classes.find(([, ErrorClass]) => new ErrorClass().name === code)?.[0];
}

interface Exercise {
  readonly name: string;
  readonly source: string;
  readonly template: WireMessageName;
  readonly parts: readonly WireMessageName[];
  readonly ours: boolean;
  readonly type: string | undefined;
  readonly message: string | RegExp | null | undefined;
}

const EXERCISES: readonly Exercise[] = [
  ...WIRE_CASES.flatMap((wireCase) => {
    if (wireCase.template === undefined) return [];
    const expected = wireCase.expect(FIXTURES);
    return [{
      name: wireCase.name, source: wireCase.source, template: wireCase.template, parts: wireCase.parts ?? [],
      ours: wireCase.ours === true, type: expected.type, message: expected.message,
    }];
  }),
  ...QUERY_CASES.map((queryCase) => {
    const expected = queryCase.expect(QUERY_FIXTURES);
    return {
      name: queryCase.name, source: queryCase.source, template: queryCase.template, parts: [],
      ours: queryCase.ours === true, type: wireClassOf(expected.code), message: expected.message,
    };
  }),
  ...PIPELINE_CASES.map((pipelineCase) => {
    const expected = pipelineCase.expect(key(1).arn);
    return {
      name: pipelineCase.name, source: pipelineCase.source, template: pipelineCase.template, parts: [],
      ours: pipelineCase.ours === true, type: expected.type, message: expected.message,
    };
  }),
];

/**
 * Templates the conformance tables cannot reach, each proved by a named test elsewhere that
 * quotes the whole message (its placeholders as the test's own expressions): the test file must hold both.
 */
const ELSEWHERE: readonly { readonly template: WireMessageName; readonly file: string; readonly test: string; readonly quote: string }[] = [
  {
    template: 'importNotOffered',
    file: '../core/kms/operations/imported-material.test.ts',
    test: 'throws UnsupportedOperationException for %s, because imported key material is offered for the key specs the token holds',
    quote: '`KeySpec ${keySpec} is not supported with Origin EXTERNAL by this service.`',
  },
  {
    template: 'wrappingKeySpecNotOffered',
    file: '../core/kms/operations/imported-material.test.ts',
    test: 'throws UnsupportedOperationException for the SM2 wrapping key spec and SM2PKE, because they are offered in the China Regions only',
    quote: "'WrappingKeySpec SM2 is supported only in the AWS China Regions.'",
  },
  {
    template: 'wrappingAlgorithmNotValid',
    file: '../core/kms/operations/imported-material.test.ts',
    test: 'throws ValidationException for %s key material with %s and %s, because the wrapping algorithm and wrapping key spec are ones the guide allows for the key material',
    quote: '`WrappingAlgorithm ${algorithm} with WrappingKeySpec ${wrappingKeySpec} is not supported for key material of KeySpec ${keySpec}.`',
  },
  {
    template: 'importTokenInvalid',
    file: '../core/kms/operations/imported-material.test.ts',
    test: 'throws InvalidImportTokenException for a token of another key and for bytes that are no token, because the import token is one GetParametersForImport returned for this key',
    quote: '`The import token is not valid for ${key.arn}.`',
  },
  {
    template: 'importTokenExpired',
    file: '../core/kms/operations/imported-material.test.ts',
    test: 'throws ExpiredImportTokenException 24 hours after GetParametersForImport, because the import token has not expired',
    quote: '`The import token expired at ${validTo.toISOString()}. Call GetParametersForImport again.`',
  },
  {
    template: 'importedMaterialInvalid',
    file: '../core/kms/operations/imported-material.test.ts',
    test: 'throws IncorrectKeyMaterialException for symmetric material that is not 32 bytes long',
    quote: "'The key material is not valid key material for a SYMMETRIC_DEFAULT KMS key.'",
  },
  {
    template: 'importedMaterialDifferent',
    file: '../core/kms/operations/imported-material.test.ts',
    test: 'throws IncorrectKeyMaterialException for other material into an HMAC key that has material (its key material never changes)',
    quote: '`The key material is not the key material previously imported into ${key.arn}.`',
  },
  {
    template: 'validToRequired',
    file: '../core/kms/operations/imported-material.test.ts',
    test: 'throws ValidationException when ExpirationModel is KEY_MATERIAL_EXPIRES (the default) without ValidTo, because material that expires has a ValidTo',
    quote: "'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES'",
  },
  {
    template: 'validToNotAllowed',
    file: '../core/kms/operations/imported-material.test.ts',
    test: 'throws ValidationException for ValidTo with KEY_MATERIAL_DOES_NOT_EXPIRE, because material that does not expire has no ValidTo',
    quote: "'A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE'",
  },
  {
    template: 'validToRange',
    file: '../core/kms/operations/imported-material.test.ts',
    test: 'throws ValidationException for a ValidTo %i ms from now, because ValidTo is in the future and at most 365 days away',
    quote: "'ValidTo must be in the future and at most 365 days from now.'",
  },
  {
    template: 'importTypeNotValid',
    file: '../core/kms/operations/imported-material.test.ts',
    test: 'throws ValidationException for ImportType on an HMAC key, because ImportType, KeyMaterialId and KeyMaterialDescription are only for symmetric encryption keys',
    quote: "'ImportType, KeyMaterialId and KeyMaterialDescription are only valid for symmetric encryption KMS keys.'",
  },
  {
    template: 'keyMaterialIdWithNewMaterial',
    file: '../core/kms/operations/imported-material.test.ts',
    test: 'throws ValidationException for a KeyMaterialId with NEW_KEY_MATERIAL, because a key material ID is not given with NEW_KEY_MATERIAL',
    quote: "'You cannot specify a key material ID with ImportType set to NEW_KEY_MATERIAL.'",
  },
  {
    template: 'keyMaterialIdNotOfKey',
    file: '../core/kms/operations/imported-material.test.ts',
    test: 'throws NotFoundException for a KeyMaterialId the key does not have, because a named key material ID is one of the key',
    quote: '`Key material ${keyMaterialId} is not associated with ${key.arn}.`',
  },
  {
    template: 'noImportedMaterial',
    file: '../core/kms/operations/imported-material.test.ts',
    test: 'throws KMSInvalidStateException for EXISTING_KEY_MATERIAL into a key that never had material, because EXISTING_KEY_MATERIAL reimports material the key had',
    quote: '`${key.arn} has no key material to reimport. Use ImportType NEW_KEY_MATERIAL.`',
  },
  {
    template: 'materialPendingRotation',
    file: '../core/kms/operations/imported-material.test.ts',
    test: 'throws KMSInvalidStateException for new material while other new material is pending rotation, because no other new key material is pending rotation',
    quote: '`New key material (id: ${newId}) cannot be imported into KMS key ${key.keyId}, because another key material (id: ${pending.KeyMaterialId}) is pending rotation.`',
  },
  {
    template: 'noPendingMaterial',
    file: '../core/kms/operations/imported-material.test.ts',
    test: 'throws KMSInvalidStateException from RotateKeyOnDemand without new material, because a key with imported key material has new material waiting to become current',
    quote: '`No available key material pending rotation for the key: ${key.arn}.`',
  },
  {
    template: 'importedMaterialNotNew',
    file: '../core/kms/operations/imported-material.test.ts',
    test: 'throws IncorrectKeyMaterialException for NEW_KEY_MATERIAL the key already has, because new key material is material the key does not have',
    quote: '`The key material is already associated with ${key.arn}. Import it with ImportType EXISTING_KEY_MATERIAL.`',
  },
  {
    template: 'expiredSecurityToken',
    file: '../e2e/identities-roles.e2e.test.ts',
    test: 'answers ExpiredToken once the session has expired, for STS and for KMS',
    quote: "message: 'The security token included in the request is expired'",
  },
  {
    template: 'keyOriginNotValid',
    file: '../core/kms/keys/key-states.test.ts',
    test: 'refuses %s on a %s key of origin %s (footnote [%s])',
    quote: '`${arn} origin is ${origin} which is not valid for this operation.`',
  },
  {
    template: 'tooManyGrants',
    file: '../core/kms/operations/grants.test.ts',
    test: 'throws LimitExceededException and writes nothing when the key has 50,000 grants',
    quote: '`${key.arn} already has 50000 grants, the most a KMS key can have. Retire or revoke a grant first.`',
  },
  {
    template: 'noLifecycleScheduler',
    file: '../core/kms/lifecycle/key-deletion.test.ts',
    test: 'throws UnsupportedOperationException naming the operation, because this deployment runs a lifecycle scheduler only where one is wired',
    quote: "'ScheduleKeyDeletion is not supported yet by this deployment: it has no key lifecycle scheduler.'",
  },
  {
    template: 'backingKeyExists',
    file: '../adapters/key-rotation-store.contract.integ.test.ts',
    test: 'throws AlreadyExistsException and leaves the metadata as it was when the new key material ID is taken',
    quote: "new AlreadyExistsException(`New key material for '${key.arn}' already exists`)",
  },
  {
    template: 'onDemandRotationLimit',
    file: '../core/kms/lifecycle/key-rotation.test.ts',
    test: 'throws LimitExceededException after ${ON_DEMAND_ROTATION_LIMIT} on-demand rotations (the key has on-demand rotations left), and rotates nothing more',
    quote: '`The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.arn}`',
  },
  {
    template: 'onDemandRotationInProgress',
    file: '../core/kms/lifecycle/key-rotation.test.ts',
    test: 'throws ConflictException while an on-demand rotation is in progress, and when an automatic one is due within 20 minutes',
    quote: '`An on-demand rotation of ${key.arn} is already in progress.`',
  },
  {
    template: 'automaticRotationImminent',
    file: '../core/kms/lifecycle/key-rotation.test.ts',
    test: 'throws ConflictException while an on-demand rotation is in progress, and when an automatic one is due within 20 minutes',
    quote: '`An automatic rotation of ${other.arn} is in progress or due to begin within 20 minutes.`',
  },
  {
    template: 'keyAlreadyExists',
    file: '../adapters/dynamodb/dynamo-store.integ.test.ts',
    test: 'throws AlreadyExistsException and keeps the first key when the key ID exists',
    quote: "new AlreadyExistsException(`Key '${key.arn}' already exists`)",
  },
  {
    template: 'accessKeyAlreadyExists',
    file: '../adapters/dynamodb/dynamo-store.integ.test.ts',
    test: 'throws AlreadyExistsException when the access key ID exists',
    quote: "new AlreadyExistsException('Access key AKIAEXAMPLE00000002 already exists')",
  },
  {
    template: 'grantAlreadyExists',
    file: '../adapters/grant-store.contract.integ.test.ts',
    test: 'throws NotFoundException, KMSInvalidStateException or AlreadyExistsException and writes nothing',
    quote: '.toBe(`Grant ${grantIdFor(1)} already exists`)',
  },
  {
    template: 'keyChanged',
    file: '../adapters/dynamodb/dynamo-store.test.ts',
    test: 'throws ConflictException when another writer bumped the revision between read and write',
    quote: 'new ConflictException(`${key.arn} was changed by another request. Retry the request.`)',
  },
  {
    template: 'concurrentChange',
    file: '../adapters/dynamodb/dynamo-store.test.ts',
    test: 'throws ConflictException when the alias transaction lost to a concurrent transaction',
    quote: "new ConflictException('The request conflicted with a concurrent change. Retry the request.')",
  },
  {
    template: 'storeBusy',
    file: '../adapters/dynamodb/dynamo-store.test.ts',
    test: 'throws DependencyTimeoutException when a transaction item was throttled',
    quote: "new DependencyTimeoutException('The request could not be completed in time because the key store is busy. Retry the request.')",
  },
  {
    template: 'keyMaterialUnavailable',
    file: '../adapters/pkcs11/pkcs11-codes.test.ts',
    test: 'answers KeyUnavailableException when the token is gone or its session closed',
    quote: "new KeyUnavailableException('The key material is unavailable.')",
  },
  {
    template: 'messageTypeNotValid',
    file: '../adapters/material-guards.test.ts',
    test: 'refuses MessageType DIGEST for ML-DSA in the software tier',
    quote: "'MessageType DIGEST is not valid with the ML_DSA_SHAKE_256 signing algorithm.'",
  },
  {
    template: 'messageLength',
    file: '../adapters/material-guards.test.ts',
    test: 'refuses an external mu of 63 bytes in the software tier',
    quote: "'With MessageType EXTERNAL_MU, signing algorithm ML_DSA_SHAKE_256 requires a message of 64 bytes; got 63.'",
  },
  {
    template: 'keySpecNotServed',
    file: '../adapters/material-guards.test.ts',
    test: 'refuses key agreement with an ML-DSA key in the software tier',
    quote: "'Key spec ML_DSA_65 cannot derive a shared secret in the software tier.'",
  },
  {
    template: 'keySpecNotHeld',
    file: '../adapters/material-guards.test.ts',
    test: 'refuses a key of the token tier sent to the software tier',
    quote: "'Key spec ML_DSA_65 is not held in the software tier.'",
  },
  {
    template: 'importedKeyNotPkcs8',
    file: '../adapters/material-guards.test.ts',
    test: 'refuses key material that is not PKCS#8',
    quote: "'The key material is not a PKCS#8 private key of key spec ML_DSA_65.'",
  },
  {
    template: 'importedKeyLength',
    file: '../adapters/material-guards.test.ts',
    test: 'refuses HMAC key material of another length before the token sees it',
    quote: "'The key material of a HMAC_256 key must be 32 bytes long.'",
  },
  {
    template: 'plaintextTooLargeForKey',
    file: '../adapters/material-guards.test.ts',
    test: 'refuses a plaintext too large for an RSA key and OAEP hash',
    quote: "'Plaintext is too large for the key and encryption algorithm.'",
  },
  {
    template: 'hmacNeedsToken',
    file: '../adapters/material-guards.test.ts',
    test: 'refuses an HMAC key where the token lacks the SHA-2 HMAC mechanisms',
    quote: "'KeySpec HMAC_256 needs a PKCS#11 token with the SHA-2 HMAC mechanisms.'",
  },
  {
    template: 'mustBeNumber',
    file: '../protocol/query/decode-input.test.ts',
    test: "['a number', 'ListUsers'",
    quote: "failed to satisfy constraint: Member must be a number\"",
  },
  {
    template: 'mustBeBoolean',
    file: '../protocol/query/decode-input.test.ts',
    test: "['a boolean', 'ListPolicies'",
    quote: "failed to satisfy constraint: Member must be a boolean\"",
  },
  {
    template: 'accessKeyIdTaken',
    file: '../adapters/dynamodb/identity-store.test.ts',
    test: 'throws ConcurrentModificationException when the generated access key ID is already in use',
    quote: "new ConcurrentModificationException('The access key ID is already in use. Retry the request.')",
  },
  {
    template: 'concurrentModification',
    file: '../adapters/dynamodb/identity-store.test.ts',
    test: 'throws ConcurrentModificationException when an attachment lost to a concurrent one',
    quote: "'The request was rejected because multiple requests to change this object were submitted simultaneously. Wait a few minutes and submit your request again.'",
  },
  {
    template: 'sidsNotUnique',
    file: '../core/authz/parse-policy.test.ts',
    test: "['Sids in an IAM policy are unique'",
    quote: "'Statement IDs (SID) in a single policy must be unique.'",
  },
  {
    template: 'sidNotAlphanumeric',
    file: '../core/authz/parse-policy.test.ts',
    test: "['the Sid of an IAM policy statement has only letters and digits",
    quote: "'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*'",
  },
  {
    template: 'principalInIdentityPolicy',
    file: '../core/authz/parse-policy.test.ts',
    test: "['an IAM policy names no principal'",
    quote: "'Policy document should not specify a principal.'",
  },
  {
    template: 'actionsRequired',
    file: '../core/authz/parse-policy.test.ts',
    test: "['an IAM policy statement has actions'",
    quote: "'Policy statement must contain actions.'",
  },
  {
    template: 'resourcesRequired',
    file: '../core/authz/parse-policy.test.ts',
    test: "['an IAM policy statement has resources'",
    quote: "'Policy statement must contain resources.'",
  },
];

const TEMPLATES = Object.entries(MESSAGES) as [WireMessageName, MessageTemplate][];

/** The template's text as a pattern: each `{placeholder}` stands for any text; `whole` anchors it. */
function pattern(text: string, whole = true): RegExp {
  const parts = text.split(/\{\w+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return whole ? new RegExp(`^${parts.join('.+')}$`, 's') : new RegExp(parts.join('.+'), 's');
}

/** The template's text as docs/differences-from-aws-kms.md quotes it: `<placeholder>` for `{placeholder}`. */
function quoted(text: string): string {
  return text.replace(/\{(\w+)\}/g, '<$1>');
}

describe('the message templates', () => {
  it('have names unique across the tables, so that each names one message', () => {
    const names = TABLES.flatMap((table) => Object.keys(table));
    expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([]);
  });

  it.each(TEMPLATES.map(([name]) => name))('has a conformance case for %s', (name) => {
    const cases = EXERCISES.filter((exercise) => exercise.template === name || exercise.parts.includes(name)).map((exercise) => exercise.name);
    const elsewhere = ELSEWHERE.filter((proof) => proof.template === name).map((proof) => proof.test);
    expect([...cases, ...elsewhere]).not.toEqual([]);
  });

  it.each(ELSEWHERE.map((proof) => [proof.template, proof] as const))('has %s proved by the test it names, quoting the whole message', (_, proof) => {
    const file = readFileSync(new URL(proof.file, import.meta.url), 'utf8');
    expect(file).toContain(proof.test);
    expect(file).toContain(proof.quote);
    expect(proof.quote).toMatch(pattern(MESSAGES[proof.template].text, false));
  });

  it.each(EXERCISES.filter((exercise) => exercise.parts.length > 0).map((exercise) => [exercise.name, exercise] as const))(
    'agrees with the parts of the case %s',
    (_, exercise) => {
      const text = exercise.message instanceof RegExp ? exercise.message.source.replace(/\\(.)/g, '$1') : String(exercise.message);
      for (const part of exercise.parts) {
        expect(MESSAGES[part].exception).toBe(exercise.type);
        expect(text).toMatch(pattern(MESSAGES[part].text, false));
      }
    },
  );

  it.each(EXERCISES.map((exercise) => [exercise.name, exercise] as const))('agrees with the case %s: its exception, its wording and its source', (_, exercise) => {
    const template = MESSAGES[exercise.template];
    expect(exercise.type).toBe(template.exception);
    if (exercise.message instanceof RegExp) {
      // A message with values known only when sent (times): the pattern quotes every fixed part of the template.
      const quotedText = exercise.message.source.replace(/\\(.)/g, '$1');
      for (const part of template.text.split(/\{\w+\}/)) expect(quotedText).toContain(part);
    } else {
      expect(typeof exercise.message).toBe('string');
      expect(String(exercise.message)).toMatch(pattern(template.text));
    }
    expect(exercise.ours).toBe('ours' in template.source);
    expect(exercise.source).not.toBe('');
  });

  it('keeps docs/differences-from-aws-kms.md a table of one line per row', () => {
    const differences = readFileSync(new URL('../../docs/differences-from-aws-kms.md', import.meta.url), 'utf8').split('\n');
    const start = differences.findIndex((line) => line.startsWith('| Area |'));
    const end = differences.findIndex((line, index) => index > start && !line.startsWith('|'));
    const rows = differences.slice(start, end);
    expect(start).toBeGreaterThan(-1);
    expect(differences[end]).toBe('');
    for (const row of rows) expect(row).toMatch(/^\|.*\|$/);
  });

  it.each(TEMPLATES.filter(([, template]) => 'ours' in template.source).map(([name, template]) => [name, template] as const))(
    'lists %s, in this service\'s own wording, in docs/differences-from-aws-kms.md',
    (_, template) => {
      const differences = readFileSync(new URL('../../docs/differences-from-aws-kms.md', import.meta.url), 'utf8');
      expect(differences).toContain(quoted(template.text));
    },
  );
});
