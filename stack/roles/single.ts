// The single role (the default, today's stack): one LINE connection with its own webhook, hosted
// on AWS here unless `webhookBaseUrl` names your own, smoke-tested before the Request URL points
// at it.
import * as pulumi from "@pulumi/pulumi";
import { callSettingsEnvironment } from "../../model/callSettings";
import { AwsTwimlWebhook } from "../awsWebhook";
import { type LineCallConfig, notifySecrets, twilioAccountSid, twilioAuthToken } from "../config";
import { needsSecrets, needsTopic } from "../config/notify";
import { buildLambdaBundle } from "../lambdaBundle";
import { connectionNames } from "../naming";
import { MissedCallChannels, WebhookAlarms } from "../notifications";
import { afterSmokeTest, WebhookSmokeTest } from "../smokeTest";
import { customerSubaccount } from "../subaccount";
import { webhookUrls } from "../webhookUrls";
import { type ConnectionOutputs, declareConnection } from "./connection";

export function singleStack(config: LineCallConfig): ConnectionOutputs {
  const names = connectionNames(config);
  // With line-call:subaccountSid, twilio:* are the parent's credentials; the subaccount is checked
  // and its token read from Twilio before any resource can be created (stack/subaccount.ts).
  const customer = config.subaccountSid ? customerSubaccount(config.subaccountSid) : undefined;
  const callAccountSid = customer?.sid ?? twilioAccountSid();
  let baseUrl: pulumi.Output<string>;
  let smokeTest: WebhookSmokeTest | undefined;
  if (config.webhookBaseUrl === undefined) {
    // Hosted here: the config check made sure an auth token is set (a subaccount's is read).
    const authToken = customer?.authToken ?? twilioAuthToken();
    const bundle = buildLambdaBundle();
    const environment = callSettingsEnvironment(config.call);
    // Where missed calls and alarms go: declared only for what the stack file configures.
    const channels =
      needsTopic(config.notify) || needsSecrets(config.notify)
        ? new MissedCallChannels("missed-calls", {
            topicName: names.missedCallTopic,
            displayName: names.domainFriendlyName,
            topic: needsTopic(config.notify),
            emails: config.notify.emails,
            ...(needsSecrets(config.notify) ? { secrets: notifySecrets() } : {}),
            secretsParameterName: names.notifySecretsParameter,
            tags: names.tags,
          })
        : undefined;
    const webhook = new AwsTwimlWebhook("webhook", {
      bundle,
      authToken,
      authTokenParameterName: names.authTokenParameter,
      environment,
      logRetentionDays: config.logRetentionDays,
      tags: names.tags,
      notify: {
        ...(channels?.topic ? { topicArn: channels.topic.arn } : {}),
        ...(channels?.secretsParameter ? { secretsParameter: channels.secretsParameter } : {}),
      },
    });
    if (config.notify.alarms && channels?.topic) {
      new WebhookAlarms("webhook-alarms", {
        topicArn: channels.topic.arn,
        functionName: webhook.functionName,
        apiId: webhook.apiId,
        tags: names.tags,
      });
    }
    baseUrl = webhook.baseUrl;
    smokeTest = new WebhookSmokeTest("webhook-smoke-test", {
      voiceUrl: webhookUrls(baseUrl).voiceUrl,
      accountSid: callAccountSid,
      rerunWhenChanged: [
        pulumi.output(bundle).apply((b) => b.sha256),
        JSON.stringify(environment),
        webhook.authTokenVersion ?? "",
      ],
      waitFor: webhook.servingResources,
    });
  } else {
    baseUrl = pulumi.output(config.webhookBaseUrl);
    if (config.hasAuthToken || customer) {
      smokeTest = new WebhookSmokeTest("webhook-smoke-test", {
        voiceUrl: webhookUrls(baseUrl).voiceUrl,
        accountSid: callAccountSid,
        rerunWhenChanged: [],
      });
    } else {
      pulumi.log.warn(
        "No Twilio auth token (twilio:authToken) is set, so the webhook at line-call:webhookBaseUrl is not smoke-tested before the Request URL points at it.",
      );
    }
  }
  return declareConnection(
    config,
    names,
    { baseUrl, gateVoiceUrl: (url) => afterSmokeTest(smokeTest, url) },
    customer?.sid,
  );
}
