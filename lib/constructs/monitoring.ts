/**
 * What an operator watches: alarms on the API's 5xx answers and throttling, the functions' errors
 * and throttles, internal errors (the token or the table failing, as the audit events record
 * them), the table's throttled requests and lifecycle work that could not be delivered (the
 * dead-letter queue); all to one SNS topic, and a dashboard of the same metrics.
 */
import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Alarm, ComparisonOperator, Dashboard, GraphWidget, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { IFilterPattern, ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface MonitoringProps {
  readonly api: RestApi;
  readonly front: NodejsFunction;
  /** Every other function: the groups and the lifecycle function. */
  readonly functions: Readonly<Record<string, NodejsFunction>>;
  readonly table: TableV2;
  readonly deadLetterQueue: Queue;
  /** The log groups whose audit events count internal errors (the front's and the groups'). */
  readonly auditLogGroups: readonly ILogGroup[];
}

const NAMESPACE = 'KmsService';
const PERIOD = Duration.minutes(5);

export class Monitoring extends Construct {
  /** Every alarm notifies this topic; subscribe to it after the deploy. */
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Alarms', { displayName: 'KMS service alarms', enforceSSL: true });
    const action = new SnsAction(this.topic);
    const alarm = (name: string, metric: IMetric, description: string, threshold = 1): void => {
      const made = new Alarm(this, name, {
        metric, threshold, evaluationPeriods: 1, alarmDescription: description,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      made.addAlarmAction(action);
      this.alarms.push(made);
    };
    const sum = { period: PERIOD, statistic: 'Sum' };

    alarm('Api5xx', props.api.metricServerError(sum), 'The API answered 5xx (the front failed or timed out).');
    // API Gateway counts stage throttling as 4xx; the front's own throttles are the Lambda metric.
    alarm('FrontThrottles', props.front.metricThrottles(sum), 'The front function was throttled (concurrency limit reached).');
    alarm('FrontErrors', props.front.metricErrors(sum), 'The front function failed outside the service\'s own error answers.');
    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(`${name}Errors`, fn.metricErrors(sum), `The ${name} function failed.`);
      alarm(`${name}Throttles`, fn.metricThrottles(sum), `The ${name} function was throttled.`);
    }
    /** A count of the audit events matching `pattern` in every function's log, one filter per log group. */
    const auditCount = (metricName: string, pattern: IFilterPattern): IMetric => {
      const filters = props.auditLogGroups.map((logGroup, index) => new MetricFilter(this, `${metricName}${index}`, {
        logGroup, metricNamespace: NAMESPACE, metricName, filterPattern: pattern, metricValue: '1',
      }));
      return filters[0]?.metric(sum) ?? new Metric({ namespace: NAMESPACE, metricName, ...sum });
    };
    // KMSInternalException is what the wire says when the token (HSM) or the table fails.
    const internalErrors = auditCount('InternalErrors', FilterPattern.stringValue('$.auditEvent.errorCode', '=', 'KMSInternalException'));
    alarm('InternalErrors', internalErrors, 'Requests failed with KMSInternalException: the HSM token or the table failed (see the function logs).');
    // A record of the table failed its integrity check (docs/table-integrity.md): someone wrote the table.
    const integrityFailures = auditCount('IntegrityFailures', FilterPattern.stringValue('$.auditEvent.eventName', '=', 'IntegrityCheckFailed'));
    alarm('IntegrityFailures', integrityFailures, 'A record of the table failed its integrity check: it was changed outside the service (see the IntegrityCheckFailed audit events).');
    const tableThrottles = new MathExpression({
      expression: 'reads + writes',
      usingMetrics: {
        reads: props.table.metric('ReadThrottleEvents', sum),
        writes: props.table.metric('WriteThrottleEvents', sum),
      },
      period: PERIOD,
      label: 'Table throttled requests',
    });
    alarm('TableThrottles', tableThrottles, 'The table throttled requests.');
    alarm('LifecycleDeadLetters', props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
      'A key\'s deletion or rotation could not be delivered to the lifecycle function (see the dead-letter queue).');

    new Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new GraphWidget({ title: 'API requests and errors', left: [props.api.metricCount(sum), props.api.metricClientError(sum), props.api.metricServerError(sum)] }),
          new GraphWidget({ title: 'API latency (p99)', left: [props.api.metricLatency({ period: PERIOD, statistic: 'p99' })] }),
        ],
        [
          new GraphWidget({ title: 'Front: invocations, errors, throttles', left: [props.front.metricInvocations(sum), props.front.metricErrors(sum), props.front.metricThrottles(sum)] }),
          new GraphWidget({ title: 'Front duration (p99)', left: [props.front.metricDuration({ period: PERIOD, statistic: 'p99' })] }),
        ],
        [
          new GraphWidget({ title: 'Function errors', left: Object.values(props.functions).map((fn) => fn.metricErrors(sum)) }),
          new GraphWidget({ title: 'Internal errors, integrity failures, table throttles, lifecycle dead letters', left: [internalErrors, integrityFailures, tableThrottles, props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD })] }),
        ],
      ],
    });
  }
}
