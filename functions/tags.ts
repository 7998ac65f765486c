/** The `tags` API group function (see src/core/api-groups.ts), invoked by the front function. */
import { createGroupHandler } from '../src/pipeline/group-handler.js';
import { lambdaGroupDeps } from '../src/composition/lambda-runtime.js';

export const handler = createGroupHandler({ group: 'tags', ...(await lambdaGroupDeps()) });
