/** Reads {@link DeploymentSettings} from CDK context (lib/app.ts documents the keys and defaults). */
import { commaList, DEFAULT_DEPLOYMENT, parseVpcEndpoints } from './deployment.js';
import type { DeploymentSettings, KeyBackend } from './deployment.js';

/** Where the SoftHSM layer puts its library, and the label the token is initialised with. */
export const SOFTHSM_DEFAULTS = { modulePath: '/opt/lib/softhsm/libsofthsm2.so', tokenLabel: 'open-kms' } as const;

type Read = (key: string) => string | undefined;

function needed(read: Read, key: string, why: string): string {
  const value = read(key);
  if (value === undefined) throw new Error(`Context ${key} is required ${why}`);
  return value;
}

function keyBackend(read: Read): KeyBackend {
  const kind = read('keyBackend') ?? 'softhsm-efs';
  if (kind === 'softhsm-efs') return { kind };
  if (kind !== 'cloudhsm') throw new Error(`Context keyBackend must be softhsm-efs or cloudhsm, not ${kind}`);
  const why = 'with keyBackend cloudhsm';
  const subnetIds = commaList(needed(read, 'subnetIds', why));
  if (subnetIds.length === 0) throw new Error(`Context subnetIds is required ${why}`);
  needed(read, 'hsmPinSecretArn', why);
  const routes = needed(read, 'routeTableIds', why);
  const routeTableIds = routes === 'none' ? [] : commaList(routes);
  /* Precondition: the route tables are one for all the subnets or one per subnet. */
  if (routes !== 'none' && routeTableIds.length !== 1 && routeTableIds.length !== subnetIds.length) {
    throw new Error(`Context routeTableIds must name one route table, or one per subnet (${subnetIds.length}), or be none`);
  }
  return {
    kind,
    vpcId: needed(read, 'vpcId', why),
    subnetIds,
    routeTableIds,
    clusterId: needed(read, 'cloudHsmClusterId', why),
    clusterSecurityGroupId: needed(read, 'cloudHsmSecurityGroupId', why),
  };
}

export function deploymentFromContext(read: Read): DeploymentSettings {
  const apiEndpoint = read('apiEndpoint') ?? DEFAULT_DEPLOYMENT.apiEndpoint;
  if (apiEndpoint !== 'private' && apiEndpoint !== 'regional') {
    throw new Error(`Context apiEndpoint must be private or regional, not ${apiEndpoint}`);
  }
  const endpoints = read('vpcEndpointIds');
  const clients = read('hsmClientLimit');
  const hsmClientLimit = clients === undefined ? undefined : Number(clients);
  /* Precondition: hsmClientLimit, when given, is a positive whole number. */
  if (hsmClientLimit !== undefined && (!Number.isSafeInteger(hsmClientLimit) || hsmClientLimit < 1)) {
    throw new Error(`Context hsmClientLimit must be a positive whole number, not ${clients}`);
  }
  const domainName = read('domainName');
  const certificateArn = read('certificateArn');
  if ((domainName === undefined) !== (certificateArn === undefined)) throw new Error('Context domainName and certificateArn go together');
  return {
    apiEndpoint,
    ...(endpoints === undefined ? {} : { vpcEndpoints: parseVpcEndpoints(endpoints) }),
    keyBackend: keyBackend(read),
    ...(domainName !== undefined && certificateArn !== undefined ? { customDomain: { domainName, certificateArn } } : {}),
    ...(hsmClientLimit === undefined ? {} : { hsmClientLimit }),
  };
}
