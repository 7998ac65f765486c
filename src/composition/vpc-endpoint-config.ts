/**
 * Deployed mode's VPC endpoint configuration. A private API behind an execute-api interface
 * endpoint gives each request `requestContext.identity.vpceId`; which VPC that endpoint is in
 * (`aws:SourceVpc`) and which endpoint policy stands for it (a KMS endpoint policy, since AWS
 * evaluates the execute-api endpoint's own policy for execute-api:Invoke only) are configuration:
 *
 * - `KMS_VPC_ENDPOINTS`: `vpce-ID=vpc-ID` pairs separated by commas;
 * - `KMS_VPC_ENDPOINT_POLICIES`: a JSON object of endpoint ID to policy document (text or object).
 */
import { parsePolicy } from '../core/authz/index.js';

const PAIR = /^(vpce-[0-9a-f]{8,17})=(vpc-[0-9a-f]{8,17})$/;

/** The endpoint-to-VPC map; throws naming the entry that is not a `vpce-ID=vpc-ID` pair. */
export function endpointVpcsFromEnv(env: NodeJS.ProcessEnv): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  const value = env['KMS_VPC_ENDPOINTS'] ?? '';
  for (const entry of value.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    const match = PAIR.exec(entry);
    if (match?.[1] === undefined || match[2] === undefined) throw new Error(`KMS_VPC_ENDPOINTS: ${entry} is not vpce-ID=vpc-ID`);
    map.set(match[1], match[2]);
  }
  return map;
}

/** The endpoint policies by endpoint ID, each checked as AWS checks a VPC endpoint policy. */
export function endpointPoliciesFromEnv(env: NodeJS.ProcessEnv): ReadonlyMap<string, string> {
  const value = env['KMS_VPC_ENDPOINT_POLICIES'];
  const map = new Map<string, string>();
  if (value === undefined || value.trim() === '') return map;
  const parsed: unknown = JSON.parse(value);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('KMS_VPC_ENDPOINT_POLICIES is not a JSON object');
  for (const [id, policy] of Object.entries(parsed as Record<string, unknown>)) {
    const text = typeof policy === 'string' ? policy : JSON.stringify(policy);
    try {
      parsePolicy(text, { kind: 'vpc-endpoint' });
    } catch (error) {
      throw new Error(`KMS_VPC_ENDPOINT_POLICIES: the policy of ${id} is refused: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    map.set(id, text);
  }
  return map;
}
