/** Front function: SigV4, protocol detection (KMS by X-Amz-Target, IAM and STS by Query), dispatch, and the cryptographic operations. */
import { createFrontHandler } from '../src/pipeline/front-handler.js';
import { createQueryHandler } from '../src/pipeline/query-handler.js';
import { groupRunner } from '../src/pipeline/identity-group-handler.js';
import { routeByProtocol } from '../src/pipeline/service-router.js';
import { lambdaFrontDeps } from '../src/composition/lambda-front.js';

const deps = await lambdaFrontDeps();
export const handler = routeByProtocol({
  kms: createFrontHandler(deps),
  query: createQueryHandler({ ...deps, run: groupRunner(deps.groups) }),
});
