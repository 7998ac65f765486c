/** The front function's dependencies: SigV4, the cryptographic operations, and the signed invocation of every other group. */
import type { FrontDeps } from '../pipeline/front-handler.js';
import { GroupRequestSigner } from '../pipeline/group-request-auth.js';
import { logAuditSink } from '../adapters/audit/log-audit-sink.js';
import { systemClock } from '../adapters/system/system-clock.js';
import { randomIds } from '../adapters/system/random-ids.js';
import { jsonLogger } from '../pipeline/logger.js';
import { asymmetricMaterialFor } from './asymmetric-material.js';
import { LambdaGroupInvoker, groupFunctionNamesFromEnv } from './lambda-groups.js';
import { endpointVpcsFromEnv } from './vpc-endpoint-config.js';
import { lambdaCore, openToken, readGroupRequestKey, tableStores, usageLog } from './lambda-runtime.js';

/** The front: the cryptographic operations run here (no key import or lifecycle: those are the keys function's). */
export async function lambdaFrontDeps(): Promise<FrontDeps> {
  const [token, key] = await Promise.all([openToken(), readGroupRequestKey()]);
  const usage = usageLog();
  const { core, verifier } = lambdaCore(token, tableStores(token.integrity), { asymmetric: asymmetricMaterialFor(token.material), usage });
  return {
    core,
    verifier,
    usage,
    groups: new LambdaGroupInvoker({
      functionNames: groupFunctionNamesFromEnv(process.env),
      signer: new GroupRequestSigner({ key, clock: systemClock }),
    }),
    audit: logAuditSink,
    clock: systemClock,
    ids: randomIds,
    logger: jsonLogger,
    // API Gateway answers HTTPS only.
    transport: { secure: true, endpointVpcs: endpointVpcsFromEnv(process.env) },
  };
}
