/**
 * The upgrade of a data folder made before records were authenticated, end to end: a folder is
 * filled through the stock KMS and IAM clients, then turned into what the earlier version left
 * (no `mac` on any item, neither the token's integrity key `kms-integrity` nor its upgrade
 * marker `kms-integrity-upgraded`; keys listed through gsi1, not the ListKeys index, and no
 * listing marker); the restarted service gives every record its MAC, moves the keys into the
 * ListKeys index, logs both, and serves every old record. Each upgrade runs once: an item that
 * loses its MAC afterwards is refused at the next start, while the others keep working.
 */
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CreateAliasCommand, CreateGrantCommand, CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { ObjectClass } from 'graphene-pk11';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAC_ATTRIBUTE, isAuthenticatedPartition } from '../../src/adapters/dynamodb/item-integrity.js';
import { aliasPartition, keyPartition } from '../../src/adapters/dynamodb/item-keys.js';
import { KEY_LISTING_MARKER } from '../../src/adapters/dynamodb/key-listing-upgrade.js';
import { GSI1, KEY_LIST_INDEX } from '../../src/adapters/dynamodb/table-definition.js';
import type { Logger } from '../../src/pipeline/logger.js';
import { expectKmsError, required, utf8 } from './support/assertions.js';
import { readAuditLines } from './support/audit-log.js';
import { ACCOUNT_ID, REGION, useLocalService } from './support/local-service.js';
import { destroyTokenObjects, tableKeyOf, withTable, type TableKey } from './support/stopped-folder.js';

const e2e = useLocalService();

const UPGRADE_LOG = 'records upgraded: each now carries a MAC under the token';
const LISTING_LOG = 'keys moved into the ListKeys index';
const USER_ARN = `arn:aws:iam::${ACCOUNT_ID}:user/app`;
const ALIAS_NAME = 'alias/from-before';

interface LogLine {
  readonly level: 'info' | 'error';
  readonly message: string;
  readonly fields: Record<string, unknown> | undefined;
}

/** A logger for one start that keeps what it is told. */
function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    logger: {
      info: (message, fields) => { lines.push({ level: 'info', message, fields }); },
      error: (message, fields) => { lines.push({ level: 'error', message, fields }); },
    },
  };
}

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

const clients: { destroy(): void }[] = [];
function kmsAs(credentials: Credentials): KMSClient {
  const client = new KMSClient({ endpoint: e2e.service.endpoint, region: REGION, credentials, maxAttempts: 1 });
  clients.push(client);
  return client;
}
afterAll(() => { for (const client of clients.splice(0)) client.destroy(); });

/** What the earlier version stored, made through the stock clients. */
const old = {
  keyId: '',
  ciphertext: new Uint8Array() as Uint8Array,
  /** A second key, the alias's target. */
  aliasTarget: '',
  /** IAM user `app`: its policy allows Encrypt, a grant on `keyId` gives it Decrypt. */
  app: { accessKeyId: '', secretAccessKey: '' } as Credentials,
};

/** The old folder's items whose MAC was removed, and what the tokens held under the integrity labels. */
let stripped: TableKey[] = [];
/** The key items put back in the older layout. */
let unlisted: TableKey[] = [];
const destroyed = { integrityKeys: 0, markers: 0, listingMarkers: 0 };
let upgradeStart: { lines: LogLine[] };

/** The root's calls (old ciphertext, alias) and the user's (its access key and policy, the grant) on the old records. */
async function useOldRecords(): Promise<{ decrypted: string; viaAlias: string | undefined; userDecrypted: string }> {
  const decrypted = await e2e.kms.send(new DecryptCommand({ CiphertextBlob: old.ciphertext, EncryptionContext: { made: 'before' } }));
  const viaAlias = await e2e.kms.send(new EncryptCommand({ KeyId: ALIAS_NAME, Plaintext: utf8('through the alias') }));
  const app = kmsAs(old.app);
  const userEncrypted = await app.send(new EncryptCommand({ KeyId: old.keyId, Plaintext: utf8('by the user') }));
  const userCiphertext = required(userEncrypted.CiphertextBlob, 'CiphertextBlob');
  // Decrypt is the grant's: the user's own policy allows only Encrypt.
  const userDecrypted = await app.send(new DecryptCommand({ CiphertextBlob: userCiphertext }));
  return {
    decrypted: new TextDecoder().decode(decrypted.Plaintext),
    viaAlias: viaAlias.KeyId,
    userDecrypted: new TextDecoder().decode(userDecrypted.Plaintext),
  };
}

describe('a data folder made before records were authenticated', () => {
  beforeAll(async () => {
    // Prepare: records of every kind, through the stock KMS and IAM clients.
    old.keyId = required(required((await e2e.kms.send(new CreateKeyCommand({}))).KeyMetadata, 'KeyMetadata').KeyId, 'KeyId');
    old.aliasTarget = required(required((await e2e.kms.send(new CreateKeyCommand({}))).KeyMetadata, 'KeyMetadata').KeyId, 'KeyId');
    await e2e.kms.send(new CreateAliasCommand({ AliasName: ALIAS_NAME, TargetKeyId: old.aliasTarget }));
    old.ciphertext = required((await e2e.kms.send(new EncryptCommand({
      KeyId: old.keyId, Plaintext: utf8('encrypted by the old version'), EncryptionContext: { made: 'before' },
    }))).CiphertextBlob, 'CiphertextBlob');
    const { accessKeyId, secretAccessKey } = e2e.service.credentials;
    const iam = new IAMClient({ endpoint: e2e.service.endpoint, region: REGION, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
    clients.push(iam);
    await iam.send(new CreateUserCommand({ UserName: 'app' }));
    const { AccessKey: accessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'app' }));
    old.app = { accessKeyId: required(accessKey?.AccessKeyId, 'AccessKeyId'), secretAccessKey: required(accessKey?.SecretAccessKey, 'SecretAccessKey') };
    await iam.send(new PutUserPolicyCommand({
      UserName: 'app', PolicyName: 'encrypt',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] }),
    }));
    await e2e.kms.send(new CreateGrantCommand({ KeyId: old.keyId, GranteePrincipal: USER_ARN, Operations: ['Decrypt'] }));

    // The folder as the earlier version left it: no MACs, no integrity key, no upgrade marker.
    await e2e.stop();
    stripped = await withTable(e2e.dataDir, async (table) => {
      const items = await table.scan();
      // Key metadata as the older layout had it: listed in gsi1's KEYS# partition, with no listing attributes.
      unlisted = await Promise.all(items.filter((item) => item[KEY_LIST_INDEX.partitionKey] !== undefined).map((item) => table.forge(tableKeyOf(item), (stored) => {
        const { [KEY_LIST_INDEX.partitionKey]: listPk, [KEY_LIST_INDEX.sortKey]: listSk, [KEY_LIST_INDEX.mac]: _listMac, ...rest } = stored;
        return { ...rest, [GSI1.partitionKey]: required(listPk, 'listPk'), [GSI1.sortKey]: required(listSk, 'listSk') };
      })));
      destroyed.listingMarkers = Number(await table.delete(tableKeyOf(KEY_LISTING_MARKER)));
      const sealed = items.filter((item) => item[MAC_ATTRIBUTE] !== undefined).map(tableKeyOf);
      for (const key of sealed) await table.removeAttribute(key, MAC_ATTRIBUTE);
      return sealed;
    });
    destroyed.integrityKeys = await destroyTokenObjects(e2e.dataDir, ObjectClass.SECRET_KEY, 'kms-integrity');
    destroyed.markers = await destroyTokenObjects(e2e.dataDir, ObjectClass.DATA, 'kms-integrity-upgraded');

    // Act
    const recording = recordingLogger();
    upgradeStart = recording;
    await e2e.start({ logger: recording.logger });
  }, 300_000);

  it('starts from a folder whose every record lost its MAC and whose token lost its integrity key and marker', () => {
    // Assess: the simulation of the old folder did what it says (keys, backing keys, alias, grant, user, policy, access keys).
    const kinds = new Set(stripped.map((key) => key.pk.slice(0, key.pk.indexOf('#'))));
    expect([...kinds].sort()).toEqual(['ACCESSKEY', 'ALIASES', 'GRANTS', 'IAM', 'KEY']);
    expect(unlisted.map((key) => key.pk).sort()).toEqual([old.keyId, old.aliasTarget].map((keyId) => keyPartition(ACCOUNT_ID, REGION, keyId)).sort());
    expect(destroyed).toEqual({ integrityKeys: 1, markers: 1, listingMarkers: 1 });
  });

  it('moves the old keys into the ListKeys index once, logging how many, and lists them', async () => {
    // Act
    const listed = await e2e.kms.send(new ListKeysCommand({}));

    // Assess
    expect(upgradeStart.lines.filter((line) => line.message === LISTING_LOG)).toEqual([{ level: 'info', message: LISTING_LOG, fields: { keys: unlisted.length } }]);
    expect(listed.Keys?.map((key) => key.KeyId)).toEqual(expect.arrayContaining([old.keyId, old.aliasTarget]));
  });

  it('logs the upgrade once, naming how many records were given a MAC, and reports no failure', () => {
    // Assess
    const upgrades = upgradeStart.lines.filter((line) => line.message === UPGRADE_LOG);
    expect(upgrades).toEqual([{ level: 'info', message: UPGRADE_LOG, fields: { records: stripped.length } }]);
    expect(upgradeStart.lines.filter((line) => line.level === 'error')).toEqual([]);
  });

  it('serves every old record: the old ciphertext, the alias, the user\'s access key and policy, and the grant', async () => {
    // Act
    const used = await useOldRecords();

    // Assess
    expect(used.decrypted).toBe('encrypted by the old version');
    expect(used.viaAlias).toBe(`arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${old.aliasTarget}`);
    expect(used.userDecrypted).toBe('by the user');
  }, 60_000);

  describe('after the upgrade, an item that loses its MAC', () => {
    let unsealedAfterUpgrade: TableKey[] = [];
    /** Whether each old key item was still in gsi1, and whether it had its listing MAC, after the first start. */
    let keyLayouts: { inGsi1: boolean; listed: boolean }[] = [];
    let secondStart: { lines: LogLine[] };
    const aliasKey: TableKey = { pk: aliasPartition(ACCOUNT_ID, REGION), sk: ALIAS_NAME };

    beforeAll(async () => {
      // Prepare: the alias alone loses its MAC.
      await e2e.stop();
      unsealedAfterUpgrade = await withTable(e2e.dataDir, async (table) => {
        const items = await table.scan();
        keyLayouts = await Promise.all(unlisted.map(async (key) => {
          const item = await table.get(key);
          return { inGsi1: item[GSI1.partitionKey] !== undefined, listed: item[KEY_LIST_INDEX.mac] !== undefined };
        }));
        await table.removeAttribute(aliasKey, MAC_ATTRIBUTE);
        return items.filter((item) => isAuthenticatedPartition(tableKeyOf(item).pk) && item[MAC_ATTRIBUTE] === undefined).map(tableKeyOf);
      });

      // Act
      const recording = recordingLogger();
      secondStart = recording;
      await e2e.start({ logger: recording.logger });
    }, 300_000);

    it('was given one by the upgrade, as was every other authenticated item', () => {
      // Assess
      expect(unsealedAfterUpgrade).toEqual([]);
    });

    it('finds the old keys rewritten by the first start out of gsi1 into the ListKeys index', () => {
      // Assess
      expect(keyLayouts).toEqual(unlisted.map(() => ({ inGsi1: false, listed: true })));
    });

    it('is refused with KMSInternalException and the generic message, audited as missing its MAC', async () => {
      // Act
      const refused = expectKmsError(e2e.kms.send(new EncryptCommand({ KeyId: ALIAS_NAME, Plaintext: utf8('through the alias') })),
        'KMSInternalException', 'An internal error occurred.', 500);

      // Assess
      await refused;
      const event = await waitFor(async () => (await readAuditLines(e2e.dataDir)).find((line) => line.eventName === 'IntegrityCheckFailed'));
      expect(event).toMatchObject({
        eventType: 'AwsServiceEvent',
        serviceEventDetails: { record: { pk: aliasKey.pk, sk: aliasKey.sk, type: 'Alias' }, reason: 'missing MAC' },
      });
      expect(secondStart.lines).toContainEqual({
        level: 'error', message: 'record integrity check failed', fields: { pk: aliasKey.pk, sk: aliasKey.sk, type: 'Alias', reason: 'missing MAC' },
      });
    }, 60_000);

    it('leaves the other records working, and the upgrade does not run again', async () => {
      // Act
      const decrypted = await e2e.kms.send(new DecryptCommand({ CiphertextBlob: old.ciphertext, EncryptionContext: { made: 'before' } }));
      const app = kmsAs(old.app);
      const userEncrypted = await app.send(new EncryptCommand({ KeyId: old.keyId, Plaintext: utf8('by the user, again') }));
      const userDecrypted = await app.send(new DecryptCommand({ CiphertextBlob: userEncrypted.CiphertextBlob }));
      const direct = await e2e.kms.send(new EncryptCommand({ KeyId: old.aliasTarget, Plaintext: utf8('to the alias target by its ID') }));

      // Assess
      expect(new TextDecoder().decode(decrypted.Plaintext)).toBe('encrypted by the old version');
      expect(new TextDecoder().decode(userDecrypted.Plaintext)).toBe('by the user, again');
      expect(direct.KeyId).toBe(`arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${old.aliasTarget}`);
      expect(secondStart.lines.filter((line) => line.message === UPGRADE_LOG || line.message === LISTING_LOG)).toEqual([]);
    }, 60_000);
  });
});

/** `read()` again until it finds something, or 10 seconds have passed. */
async function waitFor<T>(read: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
