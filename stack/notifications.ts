// Where missed calls and alarms go on AWS: an SNS topic with one e-mail subscription per address
// in notifyEmails, the notification secrets (Slack URL, LINE token) in one SSM SecureString, and,
// with `alarms`, CloudWatch alarms on the webhook that notify the same topic. Each is declared only
// when configured; the function's role gets sns:Publish on this topic and ssm:GetParameter on this
// parameter only (stack/awsWebhook.ts).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface MissedCallChannelsArgs {
  /** The topic's name, e.g. line-call-prod-missed-calls. */
  topicName: string;
  /** Shown as the sender of the e-mails. */
  displayName: string;
  /** Declare the topic (e-mail subscribers, or alarms to send to it). */
  topic: boolean;
  emails: string[];
  /** The secrets as JSON (a Pulumi secret); absent: no parameter. */
  secrets?: pulumi.Input<string>;
  secretsParameterName: string;
  tags: Record<string, string>;
}

export class MissedCallChannels extends pulumi.ComponentResource {
  readonly topic?: aws.sns.Topic;
  readonly secretsParameter?: aws.ssm.Parameter;

  constructor(name: string, args: MissedCallChannelsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("line-call:aws:MissedCallChannels", name, {}, opts);
    const parent = { parent: this };
    if (args.topic) {
      const topic = new aws.sns.Topic(
        `${name}-topic`,
        { name: args.topicName, displayName: args.displayName, tags: args.tags },
        parent,
      );
      for (const email of args.emails) {
        // Each address gets a confirmation e-mail from AWS; nothing reaches it until confirmed.
        new aws.sns.TopicSubscription(
          `${name}-email-${email.toLowerCase()}`,
          { topic: topic.arn, protocol: "email", endpoint: email },
          parent,
        );
      }
      this.topic = topic;
    }
    if (args.secrets !== undefined) {
      this.secretsParameter = new aws.ssm.Parameter(
        `${name}-secrets`,
        {
          name: args.secretsParameterName,
          type: aws.ssm.ParameterType.SecureString,
          value: pulumi.secret(args.secrets),
          description:
            "LINE Call webhook: the Slack webhook URL and LINE channel access token it sends missed calls with (JSON)",
          tags: args.tags,
        },
        parent,
      );
    }
    this.registerOutputs({});
  }
}

export interface WebhookAlarmsArgs {
  topicArn: pulumi.Input<string>;
  functionName: pulumi.Input<string>;
  apiId: pulumi.Input<string>;
  tags: Record<string, string>;
}

/** What each alarm watches: any occurrence in five minutes is worth a look. */
const ALARMS = [
  {
    suffix: "function-errors",
    namespace: "AWS/Lambda",
    metricName: "Errors",
    dimension: "FunctionName",
    what: "the webhook function failed (a bug or a timeout; Twilio played the fallback apology)",
  },
  {
    suffix: "function-throttles",
    namespace: "AWS/Lambda",
    metricName: "Throttles",
    dimension: "FunctionName",
    what: "the webhook function was throttled (account concurrency exhausted)",
  },
  {
    suffix: "api-5xx",
    namespace: "AWS/ApiGateway",
    metricName: "5xx",
    dimension: "ApiId",
    what: "the webhook's HTTP API answered 5xx (Twilio played the fallback apology)",
  },
] as const;

/** CloudWatch alarms on the webhook that notify the missed-call topic when raised and cleared. */
export class WebhookAlarms extends pulumi.ComponentResource {
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: WebhookAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("line-call:aws:WebhookAlarms", name, {}, opts);
    this.alarms = ALARMS.map(
      (alarm) =>
        new aws.cloudwatch.MetricAlarm(
          `${name}-${alarm.suffix}`,
          {
            alarmDescription: `LINE Call: ${alarm.what}. Logs: filter level = "error" in the function's log group.`,
            namespace: alarm.namespace,
            metricName: alarm.metricName,
            dimensions: {
              [alarm.dimension]: alarm.dimension === "ApiId" ? args.apiId : args.functionName,
            },
            statistic: "Sum",
            period: 300,
            evaluationPeriods: 1,
            threshold: 1,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            // No requests is no trouble.
            treatMissingData: "notBreaching",
            alarmActions: [args.topicArn],
            okActions: [args.topicArn],
            tags: args.tags,
          },
          { parent: this },
        ),
    );
    this.registerOutputs({});
  }
}
