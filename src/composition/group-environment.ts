/**
 * Names of the environment variables the CDK stack sets and the deployed functions read, in one
 * place so the two cannot drift apart.
 */

/**
 * Name of the front function's environment variable that holds a group function's name,
 * e.g. `keys` → `GROUP_FUNCTION_KEYS`, `keyStores` → `GROUP_FUNCTION_KEY_STORES`.
 */
export const groupFunctionEnvName = (group: string): string =>
  `GROUP_FUNCTION_${group.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;

/**
 * ARN of the Secrets Manager secret whose value is the key the front signs group requests with
 * and the groups verify them with (front and every group function).
 */
export const GROUP_REQUEST_SECRET_ENV = 'GROUP_REQUEST_SECRET_ARN';

/**
 * How a function reaches the token. Every function gets these: those whose operations use key
 * material for that, and every one to check the records it reads (docs/table-integrity.md).
 */
export const PKCS11_ENV = {
  modulePath: 'PKCS11_MODULE',
  tokenLabel: 'PKCS11_TOKEN_LABEL',
  pinSecretArn: 'PKCS11_PIN_SECRET_ARN',
} as const;

/**
 * How a function reaches the key lifecycle (EventBridge Scheduler and the lifecycle function):
 * the lifecycle function itself and the functions whose operations change a key's due dates.
 */
export const LIFECYCLE_ENV = {
  functionArn: 'LIFECYCLE_FUNCTION_ARN',
  scheduleGroup: 'LIFECYCLE_SCHEDULE_GROUP',
  schedulerRoleArn: 'LIFECYCLE_SCHEDULER_ROLE_ARN',
  deadLetterQueueArn: 'LIFECYCLE_DEAD_LETTER_QUEUE_ARN',
} as const;

/** ARN of the secret that holds the deployment's first credential (the first-credential function). */
export const FIRST_CREDENTIAL_SECRET_ENV = 'FIRST_CREDENTIAL_SECRET_ARN';

/** The deployment account, whose root gets the first credential (Lambda names no account in its own variables). */
export const DEPLOYMENT_ACCOUNT_ENV = 'KMS_DEPLOYMENT_ACCOUNT_ID';
