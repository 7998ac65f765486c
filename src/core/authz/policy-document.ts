/** A policy document after parsing and validation: what the compiler reads. Read-only throughout. */

export type Effect = 'Allow' | 'Deny';

/**
 * Where a policy is attached, which decides its rules: a key policy and a VPC endpoint policy name
 * principals; an identity (IAM) policy does not; a trust policy is a role's resource policy.
 */
export type PolicyKind = 'key' | 'identity' | 'vpc-endpoint' | 'trust';

/** The principals of a Principal or NotPrincipal element, normalized. */
export interface PrincipalSet {
  /** `"*"` or `{"AWS": "*"}`: every principal. */
  readonly any: boolean;
  /**
   * Identity tokens: `account:<id>` for an account ID or account root ARN, and full ARNs of users,
   * roles and role sessions, `service:<name>` for service principals, `federated:<id>` and
   * `canonical:<id>` for the other principal types.
   */
  readonly tokens: ReadonlySet<string>;
  /** The AWS principal ARNs named (account IDs as root ARNs), for the existence check. */
  readonly awsArns: readonly string[];
}

export interface ParsedCondition {
  /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly operator: string;
  /** The base operator from the operator table, e.g. `StringLike`. */
  readonly base: string;
  readonly setOperator: 'ForAnyValue' | 'ForAllValues' | undefined;
  readonly ifExists: boolean;
  /** The condition key as written. */
  readonly key: string;
  /** The policy values as text (numbers and booleans as JSON writes them). */
  readonly values: readonly string[];
}

export interface ParsedStatement {
  /** Position in the Statement array (0 for a lone statement object). */
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: Effect;
  readonly principal: PrincipalSet | undefined;
  readonly notPrincipal: PrincipalSet | undefined;
  readonly action: readonly string[] | undefined;
  readonly notAction: readonly string[] | undefined;
  readonly resource: readonly string[] | undefined;
  readonly notResource: readonly string[] | undefined;
  readonly conditions: readonly ParsedCondition[];
}

export interface ParsedPolicy {
  readonly kind: PolicyKind;
  /** `2008-10-17` when the document names none; policy variables exist only in `2012-10-17`. */
  readonly version: '2012-10-17' | '2008-10-17';
  readonly id: string | undefined;
  readonly statements: readonly ParsedStatement[];
}
