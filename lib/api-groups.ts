/**
 * The functions of the service and what each may reach. The front function runs the `crypto`
 * group itself and invokes the others synchronously; each of those runs in its own function with
 * its own role. Adding a group (grants, policies, key stores) is one entry here.
 */
import type { FunctionGroup } from '../src/pipeline/group-protocol.js';

export interface FunctionProfile {
  /** Handler file relative to the project root; it exports `handler`. */
  readonly entry: string;
  /**
   * Whether the function's operations use key material in the token. Only such functions get
   * the PKCS#11 settings and layer and may read the PIN; the others run without the token.
   */
  readonly usesToken: boolean;
}

/** SigV4 opens sealed access-key secrets, and the crypto group uses keys: both need the token. */
export const FRONT_FUNCTION = { entry: 'functions/front.ts', usesToken: true } as const satisfies FunctionProfile;

export const GROUP_FUNCTIONS = {
  // CreateKey generates key material in the token.
  keys: { entry: 'functions/keys.ts', usesToken: true },
  // Aliases and tags are metadata: nothing in them touches key material.
  aliases: { entry: 'functions/aliases.ts', usesToken: false },
  tags: { entry: 'functions/tags.ts', usesToken: false },
} as const satisfies Partial<Record<FunctionGroup, FunctionProfile>>;

export type DeployedGroup = keyof typeof GROUP_FUNCTIONS;

/** The deployed groups in declaration order. */
export const deployedGroups = (): DeployedGroup[] => Object.keys(GROUP_FUNCTIONS) as DeployedGroup[];
