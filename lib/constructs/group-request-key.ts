import { RemovalPolicy } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeRule } from './acknowledgements.js';

/**
 * The per-deployment key the front signs its requests to the group functions with (see
 * src/pipeline/group-request-auth.ts): a secret whose value Secrets Manager generates at deploy
 * time, so it never appears in the template or on the deploying machine.
 */
export class GroupRequestKey extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      description: 'open-kms: authenticates requests from the front function to the group functions',
      // 64 letters and digits: about 380 bits.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      // Nothing is stored under this key, so a new one after re-creation costs nothing.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledgeRule(this.secret, 'SMG4',
      'Not rotated by Secrets Manager: the front and the groups read the key once per function instance and accept no other, so a rotation ' +
      'would need a rotation function and a period in which both keys are accepted, which group-request-auth does not have. The key never ' +
      'leaves the service (the resource policy denies reading it to every principal but the front\'s and the groups\' roles), and ' +
      're-creating the secret makes a new one at no cost (nothing is stored under it).');
  }

  /**
   * Lets `readers` read the key and denies everyone else, whatever their identity policies
   * say: a Deny in the secret's resource policy wins over any Allow in the account.
   */
  readableOnlyBy(readers: readonly IFunction[]): void {
    const roleArns = readers.map((fn) => {
      if (fn.role === undefined) throw new Error(`${fn.node.path} has no role`);
      fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.secret.secretArn] }));
      return fn.role.roleArn;
    });
    this.secret.addToResourcePolicy(new PolicyStatement({
      sid: 'OnlyTheServiceFunctionsReadTheKey',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['secretsmanager:GetSecretValue'],
      resources: ['*'],
      conditions: { StringNotEquals: { 'aws:PrincipalArn': roleArns } },
    }));
  }
}
