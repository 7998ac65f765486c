import { fileURLToPath } from 'node:url';
import { Annotations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, LayerVersion } from 'aws-cdk-lib/aws-lambda';
import type { ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { PKCS11_ENV } from '../../src/composition/group-environment.js';
import type { KeyBackend } from './deployment.js';
import { SERVICE_ARCHITECTURE, SERVICE_RUNTIME } from './service-function.js';

/** How the functions reach the HSM token through its PKCS#11 library. */
export interface Pkcs11Settings {
  /** Path of the PKCS#11 shared library inside the function, e.g. under `/opt` from a layer. */
  readonly modulePath: string;
  readonly tokenLabel: string;
  /** Secrets Manager secret holding the token PIN; a complete or a partial ARN. */
  readonly pinSecretArn: string;
  /**
   * Lambda layer that ships the PKCS#11 library: for `cloudhsm` the user builds it from
   * CloudHSM's client; for `softhsm-efs` it replaces the stack's own SoftHSM layer.
   */
  readonly layerArn?: string;
}

/**
 * The committed layer folders (layers/README.md), built for Lambda's arm64 Amazon Linux 2023 by
 * scripts/build-pkcs11-layer.sh. `cdk synth` only zips them: it compiles and downloads nothing.
 *
 * - `pkcs11-binding`: `nodejs/node_modules` with graphene-pk11, pkcs11js (its arm64 pkcs11.node),
 *   koffi (its prebuilt arm64 binary) and tslib, found through the NODE_PATH Lambda sets
 *   (`/opt/nodejs/node_modules`); every backend needs it, the functions' bundles leave the
 *   packages out (BUNDLING in service-function.ts).
 * - `softhsm`: `lib/softhsm/libsofthsm2.so` and `etc/softhsm2.conf` (tokens under the EFS mount).
 */
export const PKCS11_LAYER_DIRS = {
  binding: fileURLToPath(new URL('../../layers/pkcs11-binding', import.meta.url)),
  softhsm: fileURLToPath(new URL('../../layers/softhsm', import.meta.url)),
} as const;

const layerFrom = (scope: Construct, id: string, directory: string, description: string): LayerVersion =>
  new LayerVersion(scope, id, {
    code: Code.fromAsset(directory),
    compatibleArchitectures: [Architecture.ARM_64],
    compatibleRuntimes: [SERVICE_RUNTIME],
    description,
  });

export const pkcs11Environment = (settings: Pkcs11Settings): Record<string, string> => ({
  [PKCS11_ENV.modulePath]: settings.modulePath,
  [PKCS11_ENV.tokenLabel]: settings.tokenLabel,
  [PKCS11_ENV.pinSecretArn]: settings.pinSecretArn,
});

/**
 * The layers every token-using function gets: the PKCS#11 binding always, then the PKCS#11
 * library: the user's layer when `settings.layerArn` is given (required for CloudHSM, whose
 * client we cannot redistribute), else for `softhsm-efs` the stack's SoftHSM layer.
 * `SERVICE_ARCHITECTURE` must be arm64, the layers' architecture.
 */
export const pkcs11Layers = (scope: Construct, settings: Pkcs11Settings, backend: KeyBackend['kind']): ILayerVersion[] => {
  if (SERVICE_ARCHITECTURE !== Architecture.ARM_64) throw new Error('The PKCS#11 layers are built for arm64 functions.');
  const binding = layerFrom(scope, 'Pkcs11BindingLayer', PKCS11_LAYER_DIRS.binding,
    'open-kms: graphene-pk11, pkcs11js and koffi for Node.js on arm64 Amazon Linux 2023');
  if (settings.layerArn !== undefined && settings.layerArn !== '') {
    return [binding, LayerVersion.fromLayerVersionArn(scope, 'Pkcs11Layer', settings.layerArn)];
  }
  if (backend === 'softhsm-efs') {
    return [binding, layerFrom(scope, 'SoftHsmLayer', PKCS11_LAYER_DIRS.softhsm,
      'open-kms: SoftHSM 2.6.1 for arm64 Amazon Linux 2023, tokens on the EFS mount')];
  }
  Annotations.of(scope).addWarningV2(
    'open-kms:noPkcs11Layer',
    'No PKCS#11 layer given (context pkcs11LayerArn): the functions find no PKCS#11 ' +
      'library unless one is already at the configured path.',
  );
  return [binding];
};

/**
 * Lets `grantee` read the PIN secret and nothing else in Secrets Manager. A complete ARN ends
 * in a random six-character suffix that a partial ARN lacks, and the two cannot be told apart
 * reliably from the string, so both forms are allowed: the second pattern only matches the
 * same secret name followed by its suffix.
 */
export const grantPinSecretRead = (grantee: IGrantable, settings: Pkcs11Settings): void => {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: [settings.pinSecretArn, `${settings.pinSecretArn}-??????`],
    }),
  );
};
