/**
 * The first-credential custom resource's handler (the `onEvent` of CDK's provider framework):
 * Create and Update make sure the deployment account's root has its first access key (the secret
 * in the stack's secret); Delete keeps it, since the table and the secret outlive the stack.
 */
import type { Logger } from './logger.js';

export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties?: Readonly<Record<string, unknown>>;
}

export interface FirstCredentialHandlerDeps {
  readonly accountId: string;
  /** Makes (or finishes making) the credential; returns its access key ID. */
  readonly ensure: () => Promise<string>;
  readonly logger: Logger;
}

export function createFirstCredentialHandler(deps: FirstCredentialHandlerDeps) {
  return async (event: CustomResourceEvent): Promise<{ PhysicalResourceId: string; Data?: { AccessKeyId: string } }> => {
    const physicalId = `first-credential-${deps.accountId}`;
    if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId ?? physicalId };
    const accessKeyId = await deps.ensure();
    // The access key ID only: the secret half stays in the secret.
    deps.logger.info('first credential ready', { accessKeyId });
    return { PhysicalResourceId: physicalId, Data: { AccessKeyId: accessKeyId } };
  };
}
