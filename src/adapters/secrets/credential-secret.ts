/** CredentialSecret on a Secrets Manager secret: the first credential as a JSON secret string. */
import { GetSecretValueCommand, PutSecretValueCommand, ResourceNotFoundException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CredentialSecret, RootCredential } from '../../core/ports/index.js';

export class SecretsManagerCredentialSecret implements CredentialSecret {
  constructor(private readonly client: SecretsManagerClient, private readonly secretArn: string) {}

  async read(): Promise<RootCredential | undefined> {
    try {
      const { SecretString } = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretArn }));
      return parseRootCredential(SecretString);
    } catch (error) {
      // A secret without a value yet holds no credential.
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  }

  async write(credential: RootCredential): Promise<void> {
    await this.client.send(new PutSecretValueCommand({
      SecretId: this.secretArn,
      SecretString: JSON.stringify({ accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey }),
    }));
  }
}

/** A credential JSON as the secret holds it, or undefined for anything else. */
export function parseRootCredential(text: string | undefined): RootCredential | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    const id = value['accessKeyId'];
    const secret = value['secretAccessKey'];
    return typeof id === 'string' && /^AKIA[A-Z2-7]{16}$/.test(id) && typeof secret === 'string' && secret.length >= 40 ? { accessKeyId: id, secretAccessKey: secret } : undefined;
  } catch {
    return undefined;
  }
}
