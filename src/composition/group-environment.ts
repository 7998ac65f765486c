/**
 * Name of the front function's environment variable that holds a group function's name,
 * e.g. `keys` → `GROUP_FUNCTION_KEYS`, `keyStores` → `GROUP_FUNCTION_KEY_STORES`. Shared by the
 * CDK stack, which sets them, and the front function, which reads them.
 */
export const groupFunctionEnvName = (group: string): string =>
  `GROUP_FUNCTION_${group.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
