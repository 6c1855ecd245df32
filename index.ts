// line-call: one LINE Call connection per stack, in one of three roles (stack/config/role.ts):
//   single   (the default) the connection and its own webhook, hosted on AWS unless
//            `webhookBaseUrl` names your own, smoke-tested before the Request URL points at it;
//   platform an operator's shared webhook only (Lambda + HTTP API), no Twilio resources;
//   customer the connection in the customer's Twilio subaccount plus one SSM parameter the
//            platform's webhook answers its calls with (`platformStack`).
// Pulumi.<stack>.yaml is validated before anything is declared. The Request URL is wired once
// `lineConnected` is true.
import type * as pulumi from "@pulumi/pulumi";
import { readProgramConfig, type StackRole } from "./stack/config";
import { ensureProvidersModule } from "./stack/providersModule";
import type { ConnectionOutputs } from "./stack/roles/connection";
import { customerStack } from "./stack/roles/customer";
import { type PlatformOutputs, platformStack } from "./stack/roles/platform";
import { singleStack } from "./stack/roles/single";

const config = readProgramConfig();
// Every Twilio resource loads its provider from the installed module (providers/installed.ts),
// which `npm ci` builds; rebuilt here only when providers/ has changed since, so `pulumi up`
// always runs the code in this tree.
if (config.role !== "platform") ensureProvidersModule();

type Outputs = Partial<ConnectionOutputs> &
  Partial<Omit<PlatformOutputs, "role">> & {
    role?: StackRole;
    platformStack?: string;
    customerParameterName?: pulumi.Output<string>;
  };

function declare(): Outputs {
  if (config.role === "platform") return platformStack(config);
  if (config.role === "customer") return customerStack(config);
  return singleStack(config);
}

// A stack exports its role's outputs and no others (an undefined export would be warned about
// on every run): a single stack exactly the outputs it always had.
Object.assign(exports, declare());
