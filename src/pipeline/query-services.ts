/**
 * The Query-protocol services at the KMS endpoint, one entry each: API model (operations, shapes,
 * Version, XML namespace, signing name). The audit event source is `<name>.amazonaws.com`.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { SCHEMA as IAM_SCHEMA } from '../models/iam/generated/schema.js';
import { SCHEMA as STS_SCHEMA } from '../models/sts/generated/schema.js';
import type { QueryServiceSchema } from '../models/query-schema.js';

export type QueryServiceName = 'iam' | 'sts';

export interface QueryServiceEntry {
  readonly schema: QueryServiceSchema<string>;
  readonly operations: ReadonlySet<string>;
}

function entry(schema: QueryServiceSchema<string>): QueryServiceEntry {
  return { schema, operations: new Set(Object.keys(schema.operations)) };
}

export const QUERY_SERVICES: Readonly<Record<QueryServiceName, QueryServiceEntry>> = {
  iam: entry(IAM_SCHEMA),
  sts: entry(STS_SCHEMA),
};

const SCOPE_SERVICE = /Credential=[^/,\s]*\/\d{8}\/[^/,\s]+\/([a-z0-9-]+)\//;

/**
 * Which Query service a request is for: the signing name in its credential scope (`iam`, `sts`),
 * else its `Version`; IAM when neither tells (its errors then say what is wrong).
 */
export function queryServiceOf(authorization: string | undefined, version: string | undefined): QueryServiceName {
  const scoped = SCOPE_SERVICE.exec(authorization ?? '')?.[1];
  if (scoped === 'iam' || scoped === 'sts') return scoped;
  return version === STS_SCHEMA.apiVersion ? 'sts' : 'iam';
}

/**
 * Protocol detection: a request without `X-Amz-Target` whose body is form-encoded (or a GET with
 * an `Action`) speaks the Query protocol; everything else goes to KMS (AWS JSON 1.1), which
 * answers its own errors for what it cannot read.
 */
export function isQueryRequest(event: APIGatewayProxyEvent): boolean {
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  if (headers['x-amz-target'] !== undefined) return false;
  if (event.httpMethod === 'GET') return event.queryStringParameters?.['Action'] !== undefined;
  return (headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}
