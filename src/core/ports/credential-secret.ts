/** Where the deployment keeps the secret half of its first credential (the stack's Secrets Manager secret). */

export interface RootCredential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface CredentialSecret {
  /** The credential stored there, or undefined when the secret holds none (a new secret's random value). */
  read(): Promise<RootCredential | undefined>;
  write(credential: RootCredential): Promise<void>;
}
