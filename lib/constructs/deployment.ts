/** How and where the stack is deployed: the API's endpoint type, the network and the key backend. */
import type { AllowedEndpoint } from './network.js';

/** A SoftHSM token on an encrypted EFS file system (cheap, for development) or a CloudHSM cluster. */
export type KeyBackend =
  | { readonly kind: 'softhsm-efs' }
  | {
    readonly kind: 'cloudhsm';
    readonly vpcId: string;
    /** The cluster's subnets: the functions run in them. */
    readonly subnetIds: readonly string[];
    /**
     * The route tables of those subnets, one for all or one per subnet, that get the stack's
     * DynamoDB gateway endpoint; empty when the VPC already has one (context `routeTableIds=none`).
     */
    readonly routeTableIds: readonly string[];
    readonly clusterId: string;
    readonly clusterSecurityGroupId: string;
  };

export interface DeploymentSettings {
  readonly apiEndpoint: 'private' | 'regional';
  /**
   * Existing execute-api interface endpoints allowed to call the private API. Without them the
   * stack creates one (private DNS on) in its VPC.
   */
  readonly vpcEndpoints?: readonly AllowedEndpoint[];
  readonly keyBackend: KeyBackend;
  /** A private custom domain: clients sign for this host. */
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string };
  /**
   * The most token clients the functions may hold together (the CloudHSM cluster's limit on client
   * connections): each function's reserved concurrency is its share (`hsm-clients.ts`). Without
   * it no function reserves concurrency.
   */
  readonly hsmClientLimit?: number;
}

export const DEFAULT_DEPLOYMENT: DeploymentSettings = { apiEndpoint: 'private', keyBackend: { kind: 'softhsm-efs' } };

const ENDPOINT = /^(vpce-[0-9a-f]{8,17})(?:=(vpc-[0-9a-f]{8,17}))?$/;

/** The non-empty, trimmed entries of a comma-separated context value. */
export const commaList = (value: string): string[] => value.split(',').map((v) => v.trim()).filter((v) => v !== '');

/** Parses `vpce-ID[=vpc-ID],…` (context `vpcEndpointIds`); throws naming the entry it refuses. */
export function parseVpcEndpoints(value: string): AllowedEndpoint[] {
  return commaList(value).map((entry) => {
    const match = ENDPOINT.exec(entry);
    if (match?.[1] === undefined) throw new Error(`vpcEndpointIds: ${entry} is not vpce-ID or vpce-ID=vpc-ID`);
    return match[2] === undefined ? { vpcEndpointId: match[1] } : { vpcEndpointId: match[1], vpcId: match[2] };
  });
}

/** What the front's `KMS_VPC_ENDPOINTS` says (src/composition/vpc-endpoint-config.ts): the endpoints whose VPC is known. */
export const endpointVpcsValue = (endpoints: readonly AllowedEndpoint[]): string =>
  endpoints.flatMap((e) => (e.vpcId === undefined ? [] : [`${e.vpcEndpointId}=${e.vpcId}`])).join(',');
