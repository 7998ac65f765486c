/**
 * cdk-nag's AwsSolutions pack, added to the app as lib/app.ts adds it (lib/deployment-checks.ts),
 * over every configuration the other tests synthesize: no error and no warning is left, every
 * acknowledgement names one rule (one finding of the granular IAM4 and IAM5) on a construct below
 * the stack and says why, and each still matches a finding, so none outlives what it excused
 * (docs/deployment-checks.md).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { deploymentFromContext } from '../../lib/constructs/deployment-context.js';
import { addDeploymentChecks } from '../../lib/deployment-checks.js';
import type { KmsServiceStack } from '../../lib/kms-stack.js';
import { CONFIGURATIONS, synthesize } from './synth.js';

interface Finding {
  /** `AwsSolutions-IAM5[Resource::…]` for a granular rule's finding, `AwsSolutions-L1` otherwise. */
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
}

interface Acknowledgement {
  readonly rule: string;
  readonly reason: string;
  /** The construct it is recorded on. */
  readonly path: string;
}

interface Checked {
  readonly stack: KmsServiceStack;
  /** What the pack reports: the findings not acknowledged. */
  readonly open: readonly Finding[];
  /** What the pack would report with no acknowledgement at all. */
  readonly all: readonly Finding[];
  readonly acknowledgements: readonly Acknowledgement[];
  /** The AwsSolutions violations in the synth's own validation report (what `cdk synth` prints). */
  readonly reportedBySynth: readonly unknown[];
}

const NAMES = Object.keys(CONFIGURATIONS);

const findingsOf = (pack: AwsSolutionsChecks, stack: KmsServiceStack): Finding[] =>
  pack.validateScope(stack).violations.flatMap((violation) => violation.violatingResources.map((resource) => ({
    rule: violation.ruleName, severity: violation.severity ?? 'error', path: resource.constructPath ?? '',
  })));

/**
 * The pack with acknowledgements ignored: cdk-nag 3 looks them up in its private
 * `isAcknowledged`, so that method is replaced on this one instance (and the test fails loudly
 * should a later cdk-nag not have it).
 */
function packIgnoringAcknowledgements(): AwsSolutionsChecks {
  const pack = new AwsSolutionsChecks();
  if (typeof (pack as unknown as Record<string, unknown>)['isAcknowledged'] !== 'function') {
    throw new Error('cdk-nag no longer checks acknowledgements in isAcknowledged: update packIgnoringAcknowledgements');
  }
  Object.defineProperty(pack, 'isAcknowledged', { value: () => false });
  return pack;
}

/** Every AwsSolutions acknowledgement recorded in the stack (`Validations.of(…).acknowledge`). */
const acknowledgementsIn = (stack: KmsServiceStack): Acknowledgement[] =>
  stack.node.findAll().flatMap((construct) => construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
    // CDK records an ID without a plugin prefix as `Annotation::ID`; cdk-nag reads it that way.
    .map(([id, reason]) => ({ rule: id.replace(/^annotation::/i, ''), reason, path: construct.node.path }))
    .filter((acknowledgement) => acknowledgement.rule.startsWith('AwsSolutions-')));

/** The AwsSolutions violations of the synth's validation report, read from the cloud assembly. */
function reportedBySynth(stack: KmsServiceStack): unknown[] {
  // The assembly Template.fromStack made; synth() hands back the same one.
  const assembly = (stack.node.root as App).synth();
  const report = JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8')) as {
    pluginReports: { pluginName: string; violations: unknown[] }[];
  };
  return report.pluginReports.filter((plugin) => plugin.pluginName === 'AwsSolutions').flatMap((plugin) => plugin.violations);
}

const checked = new Map<string, Checked>();
const resultFor = (name: string): Checked => {
  const result = checked.get(name);
  if (result === undefined) throw new Error(`${name} was not synthesized`);
  return result;
};

beforeAll(() => {
  // One synth per configuration, shared by every assertion; an error finding would fail it here.
  for (const name of NAMES) {
    const context = CONFIGURATIONS[name] ?? {};
    const { stack } = synthesize(deploymentFromContext((key) => context[key]), { prepareApp: addDeploymentChecks });
    checked.set(name, {
      stack,
      open: findingsOf(new AwsSolutionsChecks(), stack),
      all: findingsOf(packIgnoringAcknowledgements(), stack),
      acknowledgements: acknowledgementsIn(stack),
      reportedBySynth: reportedBySynth(stack),
    });
  }
}, 240_000);

const describeFinding = (finding: Finding): string => `${finding.severity} ${finding.rule} at ${finding.path}`;

describe('cdk-nag AwsSolutions checks', () => {
  it.each(NAMES)('leave no AwsSolutions error unacknowledged in %s', (name) => {
    // Act
    const { open } = resultFor(name);

    // Assess
    expect(open.filter((finding) => finding.severity === 'error').map(describeFinding)).toEqual([]);
  });

  it.each(NAMES)('leave no AwsSolutions warning unacknowledged in %s', (name) => {
    // Act
    const { open } = resultFor(name);

    // Assess
    expect(open.filter((finding) => finding.severity !== 'error').map(describeFinding)).toEqual([]);
  });

  it.each(NAMES)('report nothing in the synth\'s validation report (what cdk synth prints) for %s', (name) => {
    // Act / Assess
    expect(resultFor(name).reportedBySynth).toEqual([]);
  });

  it.each(NAMES)('acknowledge in %s one rule at a time (one finding of IAM4 and IAM5), below the stack, each with its reason', (name) => {
    // Prepare
    const { stack, acknowledgements } = resultFor(name);

    // Act
    const malformed = acknowledgements.filter((acknowledgement) =>
      !/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/.test(acknowledgement.rule)
      || (/^AwsSolutions-IAM[45]/.test(acknowledgement.rule) && !acknowledgement.rule.includes('['))
      || acknowledgement.path === stack.node.path
      || acknowledgement.reason.trim().length < 80);

    // Assess
    expect(acknowledgements.length).toBeGreaterThan(0);
    expect(malformed).toEqual([]);
  });

  it.each(NAMES)('acknowledge in %s only what the pack finds on that construct or inside it', (name) => {
    // Prepare
    const { all, acknowledgements } = resultFor(name);

    // Act
    const stale = acknowledgements.filter((acknowledgement) => !all.some((finding) =>
      finding.rule === acknowledgement.rule && (finding.path === acknowledgement.path || finding.path.startsWith(`${acknowledgement.path}/`))));

    // Assess
    expect(all.length).toBeGreaterThan(0);
    expect(stale.map((acknowledgement) => `${acknowledgement.rule} at ${acknowledgement.path}`)).toEqual([]);
  });
});
