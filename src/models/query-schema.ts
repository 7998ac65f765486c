/** Runtime description of an AWS Query-protocol service (IAM, STS), as the generated schemas give it. */

/** One model shape. `pattern` is a Java regular expression that must match the whole value. */
export interface QueryShapeSchema {
  readonly type: 'structure' | 'string' | 'blob' | 'integer' | 'long' | 'boolean' | 'timestamp' | 'list' | 'map';
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly sensitive?: boolean;
  /** Member name to target shape name, in model order. */
  readonly members?: Readonly<Record<string, string>>;
  readonly required?: readonly string[];
  readonly member?: string;
  readonly key?: string;
  readonly value?: string;
}

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
