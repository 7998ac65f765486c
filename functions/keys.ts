/** The `keys` API group function (see src/core/kms/api-groups.ts), invoked by the front function. */
import { createGroupHandler } from '../src/pipeline/group-handler.js';
import { lambdaKeysDeps } from '../src/composition/lambda-group-deps.js';

export const handler = createGroupHandler(await lambdaKeysDeps());
