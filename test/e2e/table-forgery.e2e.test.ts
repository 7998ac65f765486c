/**
 * Records forged in the table are refused end to end: victims are made through the stock KMS and
 * IAM clients, the service is stopped, each kind of record that decides whether or how a key may
 * be used is rewritten directly in the embedded DynamoDB table (as someone with write access to
 * the table, but not the token, could), and after the restart every forged record is refused
 * (KMSInternalException with the generic message, and an IntegrityCheckFailed audit event naming
 * the record) while a key nobody touched keeps working. One start, one stop/forge/restart cycle.
 */
import {
  CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand, UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateAliasCommand, CreateGrantCommand, CreateKeyCommand, DecryptCommand, DisableKeyCommand, EncryptCommand, KMSClient,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  METADATA_SORT_KEY, accessKeyPartition, aliasPartition, backingKeySortKey, grantsPartition, keyPartition,
} from '../../src/adapters/dynamodb/item-keys.js';
import { required, utf8 } from './support/assertions.js';
import { readAuditLines, type AuditLine } from './support/audit-log.js';
import { ACCOUNT_ID, REGION, useLocalService } from './support/local-service.js';
import { withTable, type EmbeddedTable, type Item, type TableKey } from './support/stopped-folder.js';

const e2e = useLocalService();

const INTERNAL_ERROR = { name: 'KMSInternalException', status: 500, message: 'An internal error occurred.' };
const ALLOW_EVERYTHING = JSON.stringify({
  Version: '2012-10-17', Statement: [{ Sid: 'forged', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }],
});
/** Allows the account everything but Encrypt, which it denies to everyone. */
const DENY_ENCRYPT = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` }, Action: 'kms:*', Resource: '*' },
    { Sid: 'no-encrypt', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:Encrypt', Resource: '*' },
  ],
});

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** What a call came to: success, or the error the SDK threw (name, HTTP status, message). */
type Outcome = 'succeeded' | { readonly name: string; readonly status: number | undefined; readonly message: string };

async function outcomeOf(call: Promise<unknown>): Promise<Outcome> {
  try {
    await call;
    return 'succeeded';
  } catch (error) {
    const { name, message, $metadata } = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name, status: $metadata?.httpStatusCode, message };
  }
}

/** Clients made on the service's current endpoint (a restart moves it), destroyed at the end. */
const clients: { destroy(): void }[] = [];
function kmsAs(credentials: Credentials): KMSClient {
  const client = new KMSClient({ endpoint: e2e.service.endpoint, region: REGION, credentials, maxAttempts: 1 });
  clients.push(client);
  return client;
}
function iamAsRoot(): IAMClient {
  const { accessKeyId, secretAccessKey } = e2e.service.credentials;
  const client = new IAMClient({ endpoint: e2e.service.endpoint, region: REGION, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
  clients.push(client);
  return client;
}
afterAll(() => { for (const client of clients.splice(0)) client.destroy(); });

async function newKey(policy?: string): Promise<string> {
  const created = await e2e.kms.send(new CreateKeyCommand(policy === undefined ? {} : { Policy: policy }));
  return required(required(created.KeyMetadata, 'KeyMetadata').KeyId, 'KeyId');
}

async function newUser(userName: string): Promise<Credentials> {
  const iam = iamAsRoot();
  await iam.send(new CreateUserCommand({ UserName: userName }));
  const { AccessKey: accessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return { accessKeyId: required(accessKey?.AccessKeyId, 'AccessKeyId'), secretAccessKey: required(accessKey?.SecretAccessKey, 'SecretAccessKey') };
}

const metadataOf = (keyId: string): TableKey => ({ pk: keyPartition(ACCOUNT_ID, REGION, keyId), sk: METADATA_SORT_KEY });

/** The one backing key item of a key that was never rotated. */
async function backingKeyOf(table: EmbeddedTable, keyId: string): Promise<Item> {
  const items = await table.query(keyPartition(ACCOUNT_ID, REGION, keyId), backingKeySortKey(''));
  expect(items).toHaveLength(1);
  return items[0] as Item;
}

/** The victims, made through the stock clients before the forgery. */
const made = {
  disabledKey: '',
  aliasName: 'alias/forged-target',
  /** The alias's real target: disabled. */
  aliasTarget: '',
  /** Where the forged alias points: an enabled key. */
  aliasDecoy: '',
  denyEncryptKey: '',
  grantedKey: '',
  grantId: '',
  grantee: { accessKeyId: '', secretAccessKey: '' } as Credentials,
  /** A user whose policy allows kms:Encrypt, with its only access key deactivated. */
  dormant: { accessKeyId: '', secretAccessKey: '' } as Credentials,
  dormantTarget: '',
  materialDonor: '',
  materialVictim: '',
  victimCiphertext: new Uint8Array() as Uint8Array,
  untouchedKey: '',
  untouchedCiphertext: new Uint8Array() as Uint8Array,
};

interface ForgeryCase {
  readonly record: string;
  /** Rewrites the stored record in the table (the service is stopped); returns the record's table key. */
  readonly forge: (table: EmbeddedTable) => Promise<TableKey>;
  /** The call the forged record would let through. */
  readonly attempt: () => Promise<unknown>;
  /** Checks how the call ended before the forgery (what the forged record would change). */
  readonly honestly: (outcome: Outcome) => void;
  /** How it ends once the record is forged: refused, with nothing of the record in the message. */
  readonly forged: Outcome;
}

const CASES: readonly ForgeryCase[] = [
  {
    record: 'a Disabled key\'s keyState set to Enabled',
    forge: (table) => table.forge(metadataOf(made.disabledKey), (item) => ({ ...item, keyState: { S: 'Enabled' } })),
    attempt: () => e2e.kms.send(new EncryptCommand({ KeyId: made.disabledKey, Plaintext: utf8('through a forged state') })),
    honestly: (outcome) => expect(outcome).toMatchObject({ name: 'DisabledException', status: 400 }),
    forged: INTERNAL_ERROR,
  },
  {
    record: 'an alias\'s target moved from a disabled key to an enabled one',
    forge: (table) => table.forge({ pk: aliasPartition(ACCOUNT_ID, REGION), sk: made.aliasName }, (item) => ({
      ...item, targetKeyId: { S: made.aliasDecoy }, gsi1pk: { S: keyPartition(ACCOUNT_ID, REGION, made.aliasDecoy) },
    })),
    attempt: () => e2e.kms.send(new EncryptCommand({ KeyId: made.aliasName, Plaintext: utf8('through a forged alias') })),
    honestly: (outcome) => expect(outcome).toMatchObject({ name: 'DisabledException', status: 400 }),
    forged: INTERNAL_ERROR,
  },
  {
    record: 'a key policy that denies Encrypt rewritten to allow everything',
    forge: (table) => table.forge(metadataOf(made.denyEncryptKey), (item) => ({ ...item, policy: { S: ALLOW_EVERYTHING } })),
    attempt: () => e2e.kms.send(new EncryptCommand({ KeyId: made.denyEncryptKey, Plaintext: utf8('through a forged policy') })),
    honestly: (outcome) => expect(outcome).toMatchObject({ name: 'AccessDeniedException', status: 400 }),
    forged: INTERNAL_ERROR,
  },
  {
    record: 'a grant of Decrypt widened to Encrypt and Decrypt',
    forge: (table) => table.forge({ pk: grantsPartition(ACCOUNT_ID, REGION, made.grantedKey), sk: made.grantId }, (item) => ({
      ...item, operations: { L: [{ S: 'Decrypt' }, { S: 'Encrypt' }] },
    })),
    attempt: () => kmsAs(made.grantee).send(new EncryptCommand({ KeyId: made.grantedKey, Plaintext: utf8('through a forged grant') })),
    honestly: (outcome) => expect(outcome).toMatchObject({ name: 'AccessDeniedException', status: 400 }),
    // The grantee's only permission would come from the grant: the authorizer reads the key's
    // grants, that read fails, and the request ends there. KMSInternalException (not
    // AccessDenied) is right: the service cannot tell whether the caller is allowed, and says so
    // rather than giving an authorization answer from a record it could not trust.
    forged: INTERNAL_ERROR,
  },
  {
    record: 'an IAM user\'s access key set from Inactive back to Active',
    forge: (table) => table.forge({ pk: accessKeyPartition(made.dormant.accessKeyId), sk: METADATA_SORT_KEY }, (item) => ({
      ...item, status: { S: 'Active' },
    })),
    attempt: () => kmsAs(made.dormant).send(new EncryptCommand({ KeyId: made.dormantTarget, Plaintext: utf8('through a forged access key') })),
    honestly: (outcome) => expect(outcome).toMatchObject({ name: 'UnrecognizedClientException', status: 400 }),
    // The access key item is read to check the request's signature, before any authorization.
    forged: INTERNAL_ERROR,
  },
  {
    record: 'another key\'s wrapped material put in a key\'s backing key (Encrypt)',
    forge: forgeMaterial,
    attempt: () => e2e.kms.send(new EncryptCommand({ KeyId: made.materialVictim, Plaintext: utf8('under the wrong material') })),
    honestly: (outcome) => expect(outcome).toBe('succeeded'),
    forged: INTERNAL_ERROR,
  },
  {
    record: 'another key\'s wrapped material put in a key\'s backing key (Decrypt of its earlier ciphertext)',
    // Forged once, by the previous case; this one only names the same record.
    forge: async (table) => backingKeyKeyOf(await backingKeyOf(table, made.materialVictim)),
    attempt: () => e2e.kms.send(new DecryptCommand({ CiphertextBlob: made.victimCiphertext })),
    honestly: (outcome) => expect(outcome).toBe('succeeded'),
    forged: INTERNAL_ERROR,
  },
];

function backingKeyKeyOf(item: Item): TableKey {
  return { pk: required(item['pk']?.S, 'pk'), sk: required(item['sk']?.S, 'sk') };
}

/** The victim's backing key keeps its table key, backing key ID and MAC, but takes the donor's wrapped material. */
async function forgeMaterial(table: EmbeddedTable): Promise<TableKey> {
  const donor = await backingKeyOf(table, made.materialDonor);
  const victim = await backingKeyOf(table, made.materialVictim);
  expect(victim['wrappedMaterial']?.B).not.toEqual(donor['wrappedMaterial']?.B);
  await table.put({ ...victim, wrappedMaterial: required(donor['wrappedMaterial'], 'wrappedMaterial') });
  return backingKeyKeyOf(victim);
}

/** Each case's outcome before the forgery, and the forged record's table key, by case. */
const honest = new Map<ForgeryCase, Outcome>();
const forgedRecords = new Map<ForgeryCase, TableKey>();

describe('records forged in the table while the service was stopped', () => {
  beforeAll(async () => {
    // Prepare: the victims, through the stock KMS and IAM clients.
    made.disabledKey = await newKey();
    await e2e.kms.send(new DisableKeyCommand({ KeyId: made.disabledKey }));
    made.aliasTarget = await newKey();
    await e2e.kms.send(new DisableKeyCommand({ KeyId: made.aliasTarget }));
    made.aliasDecoy = await newKey();
    await e2e.kms.send(new CreateAliasCommand({ AliasName: made.aliasName, TargetKeyId: made.aliasTarget }));
    made.denyEncryptKey = await newKey(DENY_ENCRYPT);
    made.grantedKey = await newKey();
    made.grantee = await newUser('grantee');
    const grant = await e2e.kms.send(new CreateGrantCommand({
      KeyId: made.grantedKey, GranteePrincipal: `arn:aws:iam::${ACCOUNT_ID}:user/grantee`, Operations: ['Decrypt'],
    }));
    made.grantId = required(grant.GrantId, 'GrantId');
    made.dormantTarget = await newKey();
    made.dormant = await newUser('dormant');
    const iam = iamAsRoot();
    await iam.send(new PutUserPolicyCommand({
      UserName: 'dormant', PolicyName: 'encrypt',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] }),
    }));
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'dormant', AccessKeyId: made.dormant.accessKeyId, Status: 'Inactive' }));
    made.materialDonor = await newKey();
    made.materialVictim = await newKey();
    made.victimCiphertext = required((await e2e.kms.send(new EncryptCommand({ KeyId: made.materialVictim, Plaintext: utf8('before the forgery') }))).CiphertextBlob, 'CiphertextBlob');
    made.untouchedKey = await newKey();
    made.untouchedCiphertext = required((await e2e.kms.send(new EncryptCommand({
      KeyId: made.untouchedKey, Plaintext: utf8('untouched'), EncryptionContext: { at: 'before' },
    }))).CiphertextBlob, 'CiphertextBlob');
    for (const forgery of CASES) honest.set(forgery, await outcomeOf(forgery.attempt()));

    // Act: every record forged in one go, with the service stopped, then one restart.
    await e2e.stop();
    await withTable(e2e.dataDir, async (table) => {
      for (const forgery of CASES) forgedRecords.set(forgery, await forgery.forge(table));
    });
    await e2e.start();
  }, 300_000);

  it.each(CASES.map((forgery) => [forgery.record, forgery] as const))('refuses %s: KMSInternalException with the generic message', async (_record, forgery) => {
    // Prepare: before the forgery the call was refused for what the record said (or, for the material, worked).
    forgery.honestly(required(honest.get(forgery), 'outcome before the forgery'));

    // Act
    const outcome = await outcomeOf(forgery.attempt());

    // Assess
    expect(outcome).toEqual(forgery.forged);
  }, 60_000);

  it('keeps the key nobody touched working: it decrypts what it encrypted before and encrypts anew', async () => {
    // Act
    const old = await e2e.kms.send(new DecryptCommand({ CiphertextBlob: made.untouchedCiphertext, EncryptionContext: { at: 'before' } }));
    const encrypted = await e2e.kms.send(new EncryptCommand({ KeyId: made.untouchedKey, Plaintext: utf8('after the restart') }));
    const decrypted = await e2e.kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }));

    // Assess
    expect(new TextDecoder().decode(old.Plaintext)).toBe('untouched');
    expect(new TextDecoder().decode(decrypted.Plaintext)).toBe('after the restart');
    expect(decrypted.KeyId).toBe(`arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${made.untouchedKey}`);
  }, 60_000);

  it('writes an IntegrityCheckFailed service event to audit.log naming each forged record', async () => {
    // Act: every forged record read once more (each read that fails is reported).
    for (const forgery of CASES) await outcomeOf(forgery.attempt());

    // Assess (the audit log is written behind the requests)
    const expected = [...new Map([...forgedRecords.values()].map((key) => [`${key.pk} ${key.sk}`, key])).values()];
    const events = await waitFor(async () => (await readAuditLines(e2e.dataDir)).filter((line) => line.eventName === 'IntegrityCheckFailed'),
      (found) => expected.every((key) => found.some((event) => named(event, key))));
    for (const key of expected) {
      expect(events.find((event) => named(event, key))).toMatchObject({
        eventSource: 'kms.amazonaws.com',
        eventType: 'AwsServiceEvent',
        recipientAccountId: ACCOUNT_ID,
        serviceEventDetails: { record: { pk: key.pk, sk: key.sk }, reason: 'MAC does not match' },
      });
    }
    expect(events.every((event) => expected.some((key) => named(event, key)))).toBe(true);
  }, 60_000);
});

function named(event: AuditLine, key: TableKey): boolean {
  const record = (event['serviceEventDetails'] as { record?: { pk?: string; sk?: string } } | undefined)?.record;
  return record?.pk === key.pk && record.sk === key.sk;
}

/** `read()` again until `done` says its value is complete, or 10 seconds have passed. */
async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
