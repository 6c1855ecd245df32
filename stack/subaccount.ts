// The customer's Twilio subaccount (line-call:subaccountSid), read from Twilio with the parent's
// twilio:* credentials each time the program runs (preview and up alike): Twilio confirms it is an
// active child of twilio:accountSid, and gives its auth token, which its calls are signed with.
// Every resource the program declares afterwards waits for that check (the Twilio ones also take
// their account from `sid`), so a subaccount of another parent fails the run naming both SIDs
// before anything is created, in AWS or in Twilio.
import * as pulumi from "@pulumi/pulumi";
import { resolveTwilioSetting } from "../model/twilio";
import { readSubaccount, SUBACCOUNT_KEY } from "../providers/twilioAccounts";
import { resolveTwilioSettings } from "../providers/twilioClient";
import { type ConfigSource, currentConfigSource } from "./config";

export interface CustomerSubaccount {
  /** The subaccount's SID, once Twilio confirmed it: the account every Twilio resource lives in. */
  sid: pulumi.Output<string>;
  /** Its auth token, as a Pulumi secret: encrypted wherever it lands in the state, never logged. */
  authToken: pulumi.Output<string>;
}

/** Call before declaring any resource: the ones declared earlier do not wait for the check. */
export function customerSubaccount(
  subaccountSid: string,
  source: ConfigSource = currentConfigSource(),
): CustomerSubaccount {
  const read = (async () => {
    const settings = resolveTwilioSettings((name) =>
      resolveTwilioSetting(name, (key) => source.values[key], source.env),
    );
    return readSubaccount(settings, subaccountSid, { subaccountKey: SUBACCOUNT_KEY });
  })().catch((error: unknown) => {
    // One line, as the config check reports, not a stack trace of the SDK.
    throw new pulumi.RunError((error as Error).message);
  });
  const sid = pulumi.output(read.then((subaccount) => subaccount.sid));
  // An explicit dependency that resolves (to none) once Twilio confirmed the subaccount: no
  // resource is registered with the engine before, and none at all when the check fails.
  const checked = sid.apply((): pulumi.Resource[] => []);
  // The CLI runs every program inside its root stack resource, which holds the transformation. A
  // unit test that imports the program under mocks without one (test/support/programHarness.ts)
  // has nowhere to register it: there the Twilio resources and the smoke test still wait for the
  // check through their inputs (`sid`), the AWS ones do not.
  if (pulumi.runtime.getStackResource()) {
    pulumi.runtime.registerStackTransformation(({ props, opts }) => ({
      props,
      opts: pulumi.mergeOptions(opts, { dependsOn: checked }),
    }));
  }
  return {
    sid,
    authToken: pulumi.secret(read.then((subaccount) => subaccount.authToken)),
  };
}
