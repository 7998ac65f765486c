/** Lifecycle function: a key's due deletion or rotation when its schedule fires, the periodic sweep of the due-date index, and the daily check of every record under the token's integrity key. */
import { lambdaLifecycleHandler } from '../src/composition/lambda-lifecycle.js';

export const handler = await lambdaLifecycleHandler();
