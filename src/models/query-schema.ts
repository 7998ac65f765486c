/** Runtime description of an AWS Query-protocol service (IAM, STS), as the generated schemas give it. */
import type { ShapeSchema } from './kms/generated/schema.js';

/** One model shape: the same description as the KMS model's (both are generated from AWS API models). */
export type QueryShapeSchema = ShapeSchema;

export interface QueryOperationSchema {
  readonly input: string;
  readonly output?: string;
  /** The element the output is wrapped in, `<Op>Result`. */
  readonly resultWrapper?: string;
}

export interface QueryServiceSchema<Op extends string> {
  /** The `Version` parameter every request carries. */
  readonly apiVersion: string;
  readonly xmlNamespace: string;
  /** The service name in the SigV4 credential scope. */
  readonly signingName: string;
  readonly operations: Readonly<Record<Op, QueryOperationSchema>>;
  readonly shapes: Readonly<Record<string, QueryShapeSchema>>;
}
