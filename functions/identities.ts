/** The `identities` group function (IAM and STS, see src/core/iam), invoked by the front function. */
import { createIdentityGroupHandler } from '../src/pipeline/identity-group-handler.js';
import { lambdaIdentityGroupDeps } from '../src/composition/lambda-runtime.js';

export const handler = createIdentityGroupHandler(await lambdaIdentityGroupDeps());
