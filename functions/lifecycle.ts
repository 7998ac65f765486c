/** Lifecycle function: a key's due deletion or rotation when its schedule fires, and the periodic sweep of the due-date index. */
import { lambdaLifecycleHandler } from '../src/composition/lambda-runtime.js';

export const handler = await lambdaLifecycleHandler();
