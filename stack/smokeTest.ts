// The post-deploy smoke test of the webhook (providers/webhookSmokeTest.ts), run by `pulumi up`.
// The SIP domain's Request URL waits for it, so a webhook that does not answer a signed call with
// TwiML, or that answers a forged one, is never wired into live calls.
import * as pulumi from "@pulumi/pulumi";
import { WebhookSmokeTestRun } from "../providers/webhookSmokeTest";

export interface WebhookSmokeTestArgs {
  /** The deployed Request URL (`…/voice`). */
  voiceUrl: pulumi.Input<string>;
  /** Sent as the sample call's AccountSid. The auth token comes from stack config (twilio:authToken). */
  accountSid?: pulumi.Input<string>;
  /**
   * Values whose change must rerun the test: the bundle's hash, the webhook settings, the
   * token parameter's version. The URL is always included.
   */
  rerunWhenChanged: pulumi.Input<string>[];
  /** How long to keep retrying while a fresh API and function come up. */
  timeoutSeconds?: number;
  /** Resources that must exist before a request can be answered (function, stage, permission…). */
  waitFor?: pulumi.Resource[];
}

export class WebhookSmokeTest extends pulumi.ComponentResource {
  readonly run: WebhookSmokeTestRun;
  /** Resolves once the test has passed on this deployment. */
  readonly passed: pulumi.Output<boolean>;

  constructor(name: string, args: WebhookSmokeTestArgs, opts?: pulumi.ComponentResourceOptions) {
    super("line-call:test:WebhookSmokeTest", name, {}, opts);
    this.run = new WebhookSmokeTestRun(
      `${name}-run`,
      {
        voiceUrl: args.voiceUrl,
        accountSid: args.accountSid ?? "",
        // A change in any trigger updates the run, which tests again.
        triggers: pulumi.all(args.rerunWhenChanged).apply((values) => JSON.stringify(values)),
        timeoutSeconds: args.timeoutSeconds ?? 90,
      },
      { parent: this, dependsOn: args.waitFor ?? [] },
    );
    this.passed = this.run.passed;
    this.registerOutputs({ passed: this.passed });
  }
}

/**
 * `url`, but only once `gate` has resolved: a data dependency, so the resource taking this value
 * is updated only after the smoke test passed, and not at all when it failed.
 */
export function afterSmokeTest(
  test: WebhookSmokeTest | undefined,
  url: pulumi.Input<string>,
): pulumi.Output<string> {
  if (!test) return pulumi.output(url);
  return pulumi.all([test.passed, url]).apply(([, value]) => value);
}
