/** The dependencies of the KMS group functions the front invokes: keys, and those that keep metadata (aliases, tags, policies, grants). */
import type { GroupHandlerDeps } from '../pipeline/group-handler.js';
import type { FunctionGroup } from '../pipeline/group-protocol.js';
import { GroupRequestVerifier } from '../pipeline/group-request-auth.js';
import { Pkcs11KeyImport } from '../adapters/pkcs11/import/pkcs11-key-import.js';
import { systemClock } from '../adapters/system/system-clock.js';
import { jsonLogger } from '../pipeline/logger.js';
import { asymmetricMaterialFor } from './asymmetric-material.js';
import { lambdaCore, lambdaLifecycle, openToken, readGroupRequestKey, tableStores, usageLog } from './lambda-runtime.js';

/**
 * The keys function: CreateKey generates key material (symmetric, HMAC and asymmetric), the import
 * operations unwrap it, the state and rotation operations arrange the key's lifecycle, and
 * GetKeyLastUsage reads the uses the front noted.
 */
export async function lambdaKeysDeps(): Promise<GroupHandlerDeps> {
  const [token, key] = await Promise.all([openToken(), readGroupRequestKey()]);
  const lifecycle = lambdaLifecycle(token.integrity);
  const { core } = lambdaCore(token, tableStores(token.integrity), {
    asymmetric: asymmetricMaterialFor(token.material), keyImport: Pkcs11KeyImport.create(token.material), usage: usageLog(),
    ...(lifecycle === undefined ? {} : { lifecycle }),
  });
  return { group: 'keys', core, logger: jsonLogger, verifier: new GroupRequestVerifier({ key, clock: systemClock }) };
}

/**
 * The dependencies of a group function whose operations keep metadata (aliases, tags, policies,
 * grants). Each opens the token all the same: it reads and writes records that decide access,
 * and checks them under the token's integrity key.
 */
export async function lambdaGroupDeps(group: Exclude<FunctionGroup, 'keys'>): Promise<GroupHandlerDeps> {
  const [token, key] = await Promise.all([openToken(), readGroupRequestKey()]);
  const { core } = lambdaCore(token, tableStores(token.integrity), { asymmetric: asymmetricMaterialFor(token.material) });
  return { group, core, logger: jsonLogger, verifier: new GroupRequestVerifier({ key, clock: systemClock }) };
}
