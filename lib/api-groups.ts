/**
 * The API groups that run in their own Lambda function, each with its own role, and the
 * handler file of each. The front function runs the `crypto` group itself and invokes these
 * synchronously. Adding a group (grants, policies, key stores) is one line here.
 */
import type { ApiGroup } from '../src/core/kms/api-groups.js';

/** The groups that get a function of their own: every group but the front's. */
export type FunctionGroup = Exclude<ApiGroup, 'crypto'>;

export const GROUP_FUNCTION_ENTRIES = {
  keys: 'functions/keys.ts',
  aliases: 'functions/aliases.ts',
  tags: 'functions/tags.ts',
} as const satisfies Partial<Record<FunctionGroup, string>>;

export type DeployedGroup = keyof typeof GROUP_FUNCTION_ENTRIES;

/** The deployed groups in declaration order. */
export const deployedGroups = (): DeployedGroup[] =>
  Object.keys(GROUP_FUNCTION_ENTRIES) as DeployedGroup[];
