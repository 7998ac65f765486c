/** SecretsManagerCredentialSecret against a mocked Secrets Manager client (no AWS here). */
import { GetSecretValueCommand, PutSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { SecretsManagerCredentialSecret, parseRootCredential } from '../../../src/adapters/secrets/credential-secret.js';

const ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:first-credential-AbCdEf';
const CREDENTIAL = { accessKeyId: 'AKIAAAAAAAAAAAAAAAAB', secretAccessKey: 'x'.repeat(40) };

function given() {
  const client = new SecretsManagerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  return { mock: mockClient(client), secret: new SecretsManagerCredentialSecret(client, ARN) };
}

describe('SecretsManagerCredentialSecret', () => {
  it('reads the credential JSON it wrote', async () => {
    // Prepare
    const { mock, secret } = given();
    mock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(CREDENTIAL) });
    mock.on(PutSecretValueCommand).resolves({});

    // Act
    await secret.write(CREDENTIAL);
    const read = await secret.read();

    // Assess
    expect(mock.commandCalls(PutSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: ARN, SecretString: JSON.stringify(CREDENTIAL) });
    expect(read).toEqual(CREDENTIAL);
  });

  it('reads no credential from a secret without a value or with the random value a new secret gets', async () => {
    // Prepare
    const { mock, secret } = given();
    mock.on(GetSecretValueCommand).rejectsOnce(new ResourceNotFoundException({ message: 'no value', $metadata: {} })).resolves({ SecretString: 'q8#Vt^z...' });

    // Act / Assess
    expect(await secret.read()).toBeUndefined();
    expect(await secret.read()).toBeUndefined();
  });

  it.each([
    ['an access key ID of another form', { ...CREDENTIAL, accessKeyId: 'ASIAAAAAAAAAAAAAAAAB' }],
    ['a short secret', { ...CREDENTIAL, secretAccessKey: 'short' }],
    ['a number', 7],
  ])('parses %s as no credential', (_case, value) => {
    expect(parseRootCredential(JSON.stringify(value))).toBeUndefined();
  });
});
