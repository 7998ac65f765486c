/** Front function: SigV4, dispatch by X-Amz-Target, and the cryptographic operations. */
import { createFrontHandler } from '../src/pipeline/front-handler.js';
import { lambdaFrontDeps } from '../src/composition/lambda-runtime.js';

export const handler = createFrontHandler(await lambdaFrontDeps());
