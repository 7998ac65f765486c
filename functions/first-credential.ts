/** First-credential function: the custom resource that gives the deployment account's root its first access key at deploy time. */
import { lambdaFirstCredentialHandler } from '../src/composition/lambda-runtime.js';

export const handler = await lambdaFirstCredentialHandler();
