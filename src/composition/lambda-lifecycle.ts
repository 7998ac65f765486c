/** The lifecycle function's dependencies: due deletions and rotations, the sweep of the due-date index, and the daily check of every record. */
import { DynamoDueIndex } from '../adapters/dynamodb/due-index.js';
import { logAuditSink } from '../adapters/audit/log-audit-sink.js';
import { systemClock } from '../adapters/system/system-clock.js';
import { randomIds } from '../adapters/system/random-ids.js';
import { createLifecycleHandler, type LifecycleOutcome } from '../pipeline/lifecycle-handler.js';
import { jsonLogger } from '../pipeline/logger.js';
import { asymmetricMaterialFor } from './asymmetric-material.js';
import { LIFECYCLE_ENV } from './group-environment.js';
import { lifecycleRunner } from './lifecycle.js';
import { integrityReporter } from './record-integrity.js';
import { integrityReporting, lambdaCore, lambdaLifecycle, openToken, required, tableClient, tableStores, tableVerification } from './lambda-runtime.js';

/**
 * The lifecycle function: runs a key's due work (deletion, rotation) when its schedule fires,
 * sweeps the due-date index on a fixed rate, and checks every record of the table daily. It
 * generates new key material, so it opens the token.
 */
export async function lambdaLifecycleHandler(): Promise<(event: unknown) => Promise<LifecycleOutcome>> {
  const token = await openToken();
  const lifecycle = lambdaLifecycle(token.integrity);
  if (lifecycle === undefined) throw new Error(`the lifecycle function needs ${Object.values(LIFECYCLE_ENV).join(', ')}`);
  const { core } = lambdaCore(token, tableStores(token.integrity), { asymmetric: asymmetricMaterialFor(token.material), lifecycle });
  const scan = { client: tableClient(), tableName: required('TABLE_NAME'), integrity: token.integrity };
  return createLifecycleHandler({
    run: lifecycleRunner({ core, lifecycle, audit: logAuditSink, ids: randomIds, clock: systemClock }),
    index: new DynamoDueIndex({ client: tableClient(), tableName: required('TABLE_NAME') }),
    clock: systemClock,
    logger: jsonLogger,
    verifyRecords: tableVerification(scan, integrityReporter(integrityReporting())),
  });
}
