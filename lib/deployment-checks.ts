/**
 * The checks every synth of the app runs: cdk-nag's AwsSolutions pack (docs/deployment-checks.md).
 *
 * cdk-nag 3 is a CDK policy-validation plugin, not an Aspect: it runs after the templates are
 * written and its findings go into the synth's validation report (printed by `cdk synth`, and
 * `validation-report.json` in the cloud assembly); an error fails the synth. A finding that does not
 * apply is acknowledged on its construct (lib/constructs/acknowledgements.ts) with the reason.
 */
import { Validations } from 'aws-cdk-lib';
import type { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

export function addDeploymentChecks(app: App): void {
  // verbose: each finding carries the rule's explanation as well as what it found.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}
