/**
 * `npm run verify -- --data-dir DIR`: checks every authenticated record of a stopped local
 * service's table under its token's integrity key and lists each one that fails. It takes the data
 * folder's lock, so it runs only while no service uses the folder, and it writes nothing.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ItemIntegrity, type IntegrityFailure } from '../adapters/dynamodb/item-integrity.js';
import { verifyRecords } from '../adapters/dynamodb/record-scan.js';
import { DEFAULT_TABLE_NAME } from '../adapters/dynamodb/table-definition.js';
import { Pkcs11KeyMaterial } from '../adapters/pkcs11/pkcs11-key-material.js';
import { Pkcs11RecordAuthenticator } from '../adapters/pkcs11/record-authenticator.js';
import { lockDataDir } from './data-dir-lock.js';
import { assertTrusted } from './data-dir.js';
import { startDynamoDbLocal } from './dynamodb-local.js';
import { ensureSoftHsmToken } from './softhsm-token.js';

export interface DataDirVerification {
  readonly dataDir: string;
  /** Authenticated records checked. */
  readonly checked: number;
  readonly failures: readonly IntegrityFailure[];
  /** False when the folder was never started by a version that authenticates records: nothing was checked. */
  readonly upgraded: boolean;
}

/** Verifies the records of the data folder; throws if it is not a data folder or a service is using it. */
export async function verifyDataDir(dataDirOption: string): Promise<DataDirVerification> {
  const dataDir = resolve(dataDirOption);
  /* Precondition: the folder is a local service's data folder (verify never makes one). */
  if (!(await isDirectory(join(dataDir, 'tokens')))) throw new Error(`${dataDir} is not a data folder of the local service (it has no tokens folder).`);
  await assertTrusted(dataDir);
  const lock = await lockDataDir(dataDir);
  try {
    const [database, material] = await Promise.all([
      startDynamoDbLocal({ dataDir }),
      ensureSoftHsmToken({ dataDir }).then((config) => Pkcs11KeyMaterial.open(config)),
    ]);
    try {
      const integrity = await ItemIntegrity.create({ authenticator: new Pkcs11RecordAuthenticator(material), onFailure: () => undefined });
      if (!integrity.upgraded) return { dataDir, checked: 0, failures: [], upgraded: false };
      const client = database.client();
      try {
        const report = await verifyRecords({ client, tableName: DEFAULT_TABLE_NAME, integrity });
        return { dataDir, ...report, upgraded: true };
      } finally {
        client.destroy();
      }
    } finally {
      await material.close();
      await database.stop();
    }
  } finally {
    await lock.release();
  }
}

/** The report `npm run verify` prints: one line per failing record, by its table key. */
export function formatVerification(result: DataDirVerification): string {
  if (!result.upgraded) {
    return `${result.dataDir} was last used by a version that did not authenticate records; start the service once (it gives every record its MAC), then verify.`;
  }
  const lines = [`${result.checked} records checked in ${result.dataDir}: ${result.failures.length === 0 ? 'all authentic' : `${result.failures.length} failed`}`];
  for (const failure of result.failures) lines.push(`  ${failure.pk}  ${failure.sk}  (${failure.type}): ${failure.reason}`);
  return lines.join('\n');
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
