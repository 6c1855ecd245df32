// The TwiML webhook on AWS: a Lambda function behind an API Gateway HTTP API and a role that may
// write to its own log group and read what it checks signatures with — nothing else. A single
// stack's webhook: the Twilio auth token in one SSM SecureString, the call settings in the
// function's environment, and the role may read that one parameter. A platform stack's shared
// webhook: only the customers' parameter prefix in its environment, and the role may read the
// parameters under that prefix and nothing else (each customer stack writes its own).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { functionEnvironment, ROUTES, sharedFunctionEnvironment } from "../lambda/contract";
import type { CallSettingsEnvironment } from "../model/callSettings";
import { LAMBDA_HANDLER, LAMBDA_RUNTIME, type LambdaBundle } from "./lambdaBundle";

/** API Gateway throttling for the `$default` stage: far above any LINE call rate, far below a flood. */
export const DEFAULT_THROTTLE = { rateLimit: 20, burstLimit: 40 } as const;

/** A single stack's webhook: one account, its token and its call settings. */
export interface SingleTenancy {
  /** The Twilio auth token; stored only as an SSM SecureString. Pass it as a Pulumi secret. */
  authToken: pulumi.Input<string>;
  /** Where the token parameter lives, e.g. /line-call/prod/twilio-auth-token. */
  authTokenParameterName: string;
  environment: CallSettingsEnvironment;
}

/** A platform stack's shared webhook: each customer's token and settings under one SSM prefix. */
export interface SharedTenancy {
  /** e.g. /line-call/platform/customers: the function reads `<prefix>/<AccountSid>`. */
  customerParameterPrefix: string;
}

export type AwsTwimlWebhookArgs = (SingleTenancy | SharedTenancy) & {
  bundle: pulumi.Input<LambdaBundle>;
  logRetentionDays: number;
  throttle?: { rateLimit: number; burstLimit: number };
  /** Where missed calls go (stack/notifications.ts): the role may publish / read only these. */
  notify?: {
    topicArn?: pulumi.Input<string>;
    secretsParameter?: aws.ssm.Parameter;
  };
  tags?: Record<string, string>;
};

/**
 * The ARN pattern of every parameter under `prefix` in this stack's account and region, which is
 * all a shared webhook's role may read.
 */
export function parametersUnderPrefixArn(
  prefix: string,
  opts: pulumi.InvokeOutputOptions,
): pulumi.Output<string> {
  const partition = aws.getPartitionOutput({}, opts).partition;
  const region = aws.getRegionOutput({}, opts).region;
  const account = aws.getCallerIdentityOutput({}, opts).accountId;
  return pulumi.interpolate`arn:${partition}:ssm:${region}:${account}:parameter${prefix}/*`;
}

export class AwsTwimlWebhook extends pulumi.ComponentResource {
  /** e.g. https://abc123.execute-api.ap-northeast-1.amazonaws.com (the `$default` stage has no path). */
  readonly baseUrl: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;
  /** The HTTP API's ID (its CloudWatch metrics' ApiId dimension). */
  readonly apiId: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;
  /** A single stack's token parameter; undefined for a shared webhook. */
  readonly authTokenParameterName?: pulumi.Output<string>;
  /** The token parameter's version: changes when the token is rotated (single stack only). */
  readonly authTokenVersion?: pulumi.Output<string>;
  /** Everything a request needs before the webhook answers: the smoke test waits for these. */
  readonly servingResources: pulumi.Resource[];

  constructor(name: string, args: AwsTwimlWebhookArgs, opts?: pulumi.ComponentResourceOptions) {
    super("line-call:aws:TwimlWebhook", name, {}, opts);
    const parent = { parent: this };
    const tags = args.tags ?? {};
    const notifyTopicArn = args.notify?.topicArn;
    const notifySecrets = args.notify?.secretsParameter;

    const single = "authToken" in args ? args : undefined;
    const authToken =
      single &&
      new aws.ssm.Parameter(
        `${name}-twilio-auth-token`,
        {
          name: single.authTokenParameterName,
          type: aws.ssm.ParameterType.SecureString,
          // Encrypted with the account's aws/ssm key, whose key policy already lets IAM principals
          // of this account decrypt through SSM: the role needs no kms:Decrypt of its own.
          value: pulumi.secret(single.authToken),
          description: "Twilio auth token the LINE Call webhook checks X-Twilio-Signature with",
          tags,
        },
        parent,
      );
    const shared = "customerParameterPrefix" in args ? args : undefined;

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { retentionInDays: args.logRetentionDays, tags },
      parent,
    );

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "lambda.amazonaws.com" },
              Action: "sts:AssumeRole",
            },
          ],
        }),
        description: shared
          ? "LINE Call shared TwiML webhook: write its own logs, read the customers' parameters"
          : "LINE Call TwiML webhook: write its own logs, read the Twilio token parameter",
        tags,
      },
      parent,
    );

    // Basic execution narrowed to this function's log group (the managed
    // AWSLambdaBasicExecutionRole would allow every log group), plus the one parameter, or the
    // parameters under the customers' prefix (GetParameter only: no listing, no writing).
    const readStatement = shared
      ? {
          Sid: "ReadCustomerParameters",
          Effect: "Allow",
          Action: "ssm:GetParameter",
          Resource: parametersUnderPrefixArn(shared.customerParameterPrefix, parent),
        }
      : {
          Sid: "ReadTwilioAuthToken",
          Effect: "Allow",
          Action: "ssm:GetParameter",
          Resource: (authToken as aws.ssm.Parameter).arn,
        };
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: role.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "WriteOwnLogs",
              Effect: "Allow",
              Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
              Resource: pulumi.interpolate`${logGroup.arn}:*`,
            },
            readStatement,
            ...(notifyTopicArn
              ? [
                  {
                    Sid: "PublishMissedCalls",
                    Effect: "Allow",
                    Action: "sns:Publish",
                    Resource: notifyTopicArn,
                  },
                ]
              : []),
            ...(notifySecrets
              ? [
                  {
                    Sid: "ReadNotifySecrets",
                    Effect: "Allow",
                    Action: "ssm:GetParameter",
                    Resource: notifySecrets.arn,
                  },
                ]
              : []),
          ],
        }),
      },
      parent,
    );

    const bundle = pulumi.output(args.bundle);
    const notifyEnvironment = pulumi
      .all([
        notifyTopicArn ?? "",
        notifySecrets?.name ?? "",
        notifySecrets?.version.apply(String) ?? "",
      ])
      .apply(([topicArn, parameterName, version]) => ({
        ...(topicArn ? { topicArn } : {}),
        ...(parameterName ? { secrets: { parameterName, version } } : {}),
      }));
    const fn = new aws.lambda.Function(
      `${name}-function`,
      {
        runtime: LAMBDA_RUNTIME,
        architectures: ["arm64"],
        handler: LAMBDA_HANDLER,
        code: bundle.apply(
          (b) =>
            new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.FileAsset(b.outfile) }),
        ),
        role: role.arn,
        memorySize: 256,
        // Twilio gives up on a webhook after 15 s; answering (or failing) well before that lets
        // it use the fallback URL.
        timeout: 10,
        loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
        environment: {
          // The version is not read by the handler: a new token version changes the function's
          // configuration, so no warm instance keeps validating with a token rotated away.
          variables:
            single && authToken
              ? pulumi
                  .all([authToken.name, authToken.version, notifyEnvironment])
                  .apply(([parameterName, version, notify]) =>
                    functionEnvironment(
                      single.environment,
                      { parameterName, version: String(version) },
                      notify,
                    ),
                  )
              : sharedFunctionEnvironment((shared as SharedTenancy).customerParameterPrefix),
        },
        tags,
      },
      { parent: this, dependsOn: [policy] },
    );

    const api = new aws.apigatewayv2.Api(
      `${name}-api`,
      {
        protocolType: "HTTP",
        description: "LINE Call TwiML webhook (Twilio posts here)",
        tags,
      },
      parent,
    );

    const integration = new aws.apigatewayv2.Integration(
      `${name}-integration`,
      {
        apiId: api.id,
        integrationType: "AWS_PROXY",
        integrationMethod: "POST",
        integrationUri: fn.invokeArn,
        payloadFormatVersion: "2.0",
        timeoutMilliseconds: 12_000,
      },
      parent,
    );

    const routes = Object.entries(ROUTES).map(
      ([routeName, path]) =>
        new aws.apigatewayv2.Route(
          `${name}-route-${routeName}`,
          {
            apiId: api.id,
            routeKey: `POST ${path}`,
            target: pulumi.interpolate`integrations/${integration.id}`,
          },
          parent,
        ),
    );

    const throttle = args.throttle ?? DEFAULT_THROTTLE;
    const stage = new aws.apigatewayv2.Stage(
      `${name}-stage`,
      {
        apiId: api.id,
        name: "$default",
        autoDeploy: true,
        defaultRouteSettings: {
          throttlingRateLimit: throttle.rateLimit,
          throttlingBurstLimit: throttle.burstLimit,
        },
        tags,
      },
      { parent: this, dependsOn: routes },
    );

    const permission = new aws.lambda.Permission(
      `${name}-invoke-permission`,
      {
        action: "lambda:InvokeFunction",
        function: fn.name,
        principal: "apigateway.amazonaws.com",
        // Only POSTs through this API (any stage): the four routes above.
        sourceArn: pulumi.interpolate`${api.executionArn}/*/POST/*`,
      },
      parent,
    );

    this.baseUrl = api.apiEndpoint;
    this.apiId = api.id;
    this.functionName = fn.name;
    this.logGroupName = logGroup.name;
    if (authToken) {
      this.authTokenParameterName = authToken.name;
      this.authTokenVersion = authToken.version.apply(String);
    }
    this.servingResources = [fn, stage, permission, integration, ...routes];
    this.registerOutputs({
      baseUrl: this.baseUrl,
      functionName: this.functionName,
      logGroupName: this.logGroupName,
      ...(authToken ? { authTokenParameterName: this.authTokenParameterName } : {}),
    });
  }
}
