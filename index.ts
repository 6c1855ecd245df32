// line-call: one LINE Call connection per stack. Reads Pulumi.<stack>.yaml (validated before
// anything is declared), hosts the TwiML webhook on AWS unless `webhookBaseUrl` names your own,
// smoke-tests it, and wires the SIP domain's Request URL to it once `lineConnected` is true.
import * as pulumi from "@pulumi/pulumi";
import { callSettingsEnvironment } from "./model/callSettings";
import { AwsTwimlWebhook } from "./stack/awsWebhook";
import { notifySecrets, readStackConfig, twilioAccountSid, twilioAuthToken } from "./stack/config";
import { needsSecrets, needsTopic } from "./stack/config/notify";
import { buildLambdaBundle } from "./stack/lambdaBundle";
import { LineSipConnection } from "./stack/lineSipConnection";
import { connectionNames, edgeSipUri, TOKYO_EDGE } from "./stack/naming";
import { MissedCallChannels, WebhookAlarms } from "./stack/notifications";
import { nextStepFor } from "./stack/outputs";
import { ensureProvidersModule } from "./stack/providersModule";
import { afterSmokeTest, WebhookSmokeTest } from "./stack/smokeTest";
import { customerSubaccount } from "./stack/subaccount";
import { webhookUrls } from "./stack/webhookUrls";

const config = readStackConfig();
// Every resource loads its provider from the installed module (providers/installed.ts), which
// `npm ci` builds; rebuilt here only when providers/ has changed since, so `pulumi up` always
// runs the code in this tree.
ensureProvidersModule();
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
      webhook.authTokenVersion,
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

const urls = webhookUrls(baseUrl);
const connection = new LineSipConnection("line", {
  domainName: config.sipDomainName,
  friendlyName: names.domainFriendlyName,
  ipAccessControlListName: names.ipAccessControlListName,
  ipAddresses: config.lineIpAddresses,
  webhook: { ...urls, voiceUrl: afterSmokeTest(smokeTest, urls.voiceUrl) },
  lineConnected: config.lineConnected,
  adopt: config.adoptExisting,
  ...(customer ? { accountSid: customer.sid } : {}),
});

// What to send to LINE: the Tokyo edge's URI for callers in Japan (docs/operations.md).
export const sipUri = connection.sipUri;
export const sipUriTokyo = connection.sipUri.apply((uri) => edgeSipUri(uri, TOKYO_EDGE));
export const sipDomainSid = connection.sipDomainSid;
export const accountSid = connection.accountSid;
export const webhookBaseUrl = baseUrl;
/** Empty until LINE is connected. */
export const voiceUrl = connection.voiceUrl;
export const lineConnected = config.lineConnected;
export const lineIpAddresses = config.lineIpAddresses.map((entry, index) => ({
  ip: entry.ip,
  cidrPrefixLength: entry.cidrPrefixLength,
  friendlyName: entry.friendlyName,
  sid: connection.ipAddresses[index].sid,
}));
export const nextStep = nextStepFor(config, { ...connection, sipUriTokyo });
