// A post-deploy smoke test of the webhook, run by `pulumi up` on the operator's machine through
// @pulumi/command. The SIP domain's Request URL waits for it, so a webhook that does not answer a
// signed call with TwiML, or that answers a forged one, is never wired into live calls.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

/**
 * The command line. Relative and machine-independent on purpose: the Command's inputs are stored
 * in the state, and an absolute path would make a teammate's `pulumi up` rerun it for nothing.
 * `npx --no` runs the project's own tsx (installed by `npm ci`) and never downloads anything.
 */
export const SMOKE_TEST_COMMAND = "npx --no tsx scripts/smoke-test.ts";

/** Environment variables scripts/smoke-test.ts reads. */
export const SMOKE_TEST_ENV = {
  voiceUrl: "SMOKE_TEST_VOICE_URL",
  authToken: "TWILIO_AUTH_TOKEN",
  accountSid: "TWILIO_ACCOUNT_SID",
  timeoutSeconds: "SMOKE_TEST_TIMEOUT_SECONDS",
} as const;

export interface WebhookSmokeTestArgs {
  /** The deployed Request URL (`…/voice`). */
  voiceUrl: pulumi.Input<string>;
  /** The real Twilio auth token (a Pulumi secret: it travels only in the secret environment). */
  authToken: pulumi.Input<string>;
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
  readonly command: command.local.Command;
  /**
   * Resolves once the test has passed on this deployment. Not secret (unlike the Command's
   * outputs, which inherit the token's secrecy), so what is derived from it stays readable.
   */
  readonly passed: pulumi.Output<boolean>;

  constructor(name: string, args: WebhookSmokeTestArgs, opts?: pulumi.ComponentResourceOptions) {
    super("line-call:test:WebhookSmokeTest", name, {}, opts);
    this.command = new command.local.Command(
      `${name}-command`,
      {
        create: SMOKE_TEST_COMMAND,
        environment: {
          [SMOKE_TEST_ENV.voiceUrl]: args.voiceUrl,
          [SMOKE_TEST_ENV.authToken]: pulumi.secret(args.authToken),
          [SMOKE_TEST_ENV.accountSid]: args.accountSid ?? "",
          [SMOKE_TEST_ENV.timeoutSeconds]: String(args.timeoutSeconds ?? 90),
        },
        // A change in any trigger replaces the Command, which runs `create` again.
        triggers: [args.voiceUrl, ...args.rerunWhenChanged],
      },
      { parent: this, dependsOn: args.waitFor ?? [] },
    );
    this.passed = pulumi.unsecret(this.command.stdout).apply(() => true);
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
