import { Annotations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { LayerVersion } from 'aws-cdk-lib/aws-lambda';
import type { ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { PKCS11_ENV } from '../../src/composition/group-environment.js';

/** How the functions reach the HSM token through its PKCS#11 library. */
export interface Pkcs11Settings {
  /** Path of the PKCS#11 shared library inside the function, e.g. under `/opt` from a layer. */
  readonly modulePath: string;
  readonly tokenLabel: string;
  /** Secrets Manager secret holding the token PIN; a complete or a partial ARN. */
  readonly pinSecretArn: string;
  /** Lambda layer that ships the PKCS#11 library (the user builds it from the vendor's client). */
  readonly layerArn?: string;
}

export const pkcs11Environment = (settings: Pkcs11Settings): Record<string, string> => ({
  [PKCS11_ENV.modulePath]: settings.modulePath,
  [PKCS11_ENV.tokenLabel]: settings.tokenLabel,
  [PKCS11_ENV.pinSecretArn]: settings.pinSecretArn,
});

export const pkcs11Layers = (scope: Construct, settings: Pkcs11Settings): ILayerVersion[] => {
  if (settings.layerArn === undefined || settings.layerArn === '') {
    Annotations.of(scope).addWarningV2(
      'open-kms:noPkcs11Layer',
      'No PKCS#11 layer given (context pkcs11LayerArn): the functions find no PKCS#11 ' +
        'library unless one is already at the configured path.',
    );
    return [];
  }
  return [LayerVersion.fromLayerVersionArn(scope, 'Pkcs11Layer', settings.layerArn)];
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
