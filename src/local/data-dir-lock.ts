/**
 * One service per data folder: DynamoDB Local and the SoftHSM token files must not be opened by
 * two services at once.
 */
import { join } from 'node:path';
import { tryPidLock, type PidLock } from './pid-lock.js';

export async function lockDataDir(dataDir: string): Promise<PidLock> {
  const lock = await tryPidLock(join(dataDir, 'service.lock'));
  if (typeof lock === 'number') {
    throw new Error(`Another service (PID ${lock}) is using the data folder ${dataDir}; stop it or choose another --data-dir.`);
  }
  return lock;
}
