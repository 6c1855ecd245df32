// The providers load by reference from the installed module (providers/installed.ts) through the
// real Pulumi CLI: each resource's state names the module instead of holding its code, `pulumi
// refresh` and `pulumi destroy` run the code installed now, and a stack created by the earlier
// by-value providers moves over with one `pulumi up` that writes nothing to Twilio.
import { appendFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  carryProvidersByReference,
  carryProvidersByValue,
  createEngineStack,
  type EngineStack,
  engineTestsEnabled,
  expectSuccess,
  previewSteps,
  restoreProjectFile,
} from "../../devkit/engine/cliStack";
import { installedProviderModule } from "../../providers/installed";
import { buildProvidersModule } from "../../stack/providersModule";

const enabled = engineTestsEnabled();
const LONG = 300_000;

interface StateResource {
  type: string;
  urn: string;
  outputs?: Record<string, unknown>;
}

async function dynamicResources(stack: EngineStack): Promise<StateResource[]> {
  const exported = expectSuccess(await stack.pulumi(["stack", "export"]), "stack export");
  const resources = (JSON.parse(exported.stdout).deployment.resources ?? []) as StateResource[];
  return resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"));
}

function providerText(resource: StateResource): string {
  return String(resource.outputs?.__provider ?? "");
}

const IP_ADDRESS_SOURCE = path.join("providers", "ipAddress.ts");

/**
 * Installs a version of the IP entry's provider in the copy, the way `npm ci` installs one: the
 * project's own, or with `method` (read or delete) failing with "<method> of the newly installed code".
 */
function installIpAddressProvider(stack: EngineStack, failing?: "read" | "delete"): void {
  restoreProjectFile(stack.project, IP_ADDRESS_SOURCE);
  if (failing) {
    appendFileSync(
      path.join(stack.project, IP_ADDRESS_SOURCE),
      `\nipAddressProvider.${failing} = async () => {\n  throw new Error("${failing} of the newly installed code");\n};\n`,
    );
  }
  buildProvidersModule(stack.project);
}

const twilioWrites = (stack: EngineStack) =>
  stack.standin.requests.filter((request) => request.method !== "GET");

describe.runIf(enabled)("providers loaded by reference from the installed module", () => {
  let stack: EngineStack;

  beforeAll(async () => {
    stack = await createEngineStack("byref", { ownProvidersModule: true });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it(
    "store a require of the installed module, a few hundred bytes, in every resource",
    async () => {
      expectSuccess(await stack.pulumi(["up", "--yes", "--skip-preview"]), "pulumi up");
      const resources = await dynamicResources(stack);
      expect(resources.length).toBeGreaterThanOrEqual(5);
      for (const resource of resources) {
        const text = providerText(resource);
        expect(text, resource.urn).toMatch(/require\("@line-call\/providers\/\w+\.js"\)/);
        expect(text.length, resource.urn).toBeLessThanOrEqual(1024);
      }
    },
    LONG,
  );

  it(
    "run the installed code in refresh and destroy, not the code stored at creation",
    async () => {
      // A later version of the IP entry's read, then of its delete, then the project's own.
      installIpAddressProvider(stack, "read");
      const refresh = await stack.pulumi(["refresh", "--yes", "--skip-preview"]);
      expect(refresh.code).not.toBe(0);
      expect(refresh.output).toContain("read of the newly installed code");

      installIpAddressProvider(stack, "delete");
      const destroy = await stack.pulumi(["destroy", "--yes", "--skip-preview"]);
      expect(destroy.code).not.toBe(0);
      expect(destroy.output).toContain("delete of the newly installed code");

      installIpAddressProvider(stack);
      expectSuccess(await stack.pulumi(["destroy", "--yes", "--skip-preview"]), "pulumi destroy");
      expect(stack.standin.ipAddresses()).toEqual([]);
      expect(stack.standin.domains()).toEqual([]);
    },
    LONG,
  );

  it(
    "move a stack made by the by-value providers over with one up: updates only, no Twilio write",
    async () => {
      carryProvidersByValue(stack.project);
      expectSuccess(await stack.pulumi(["up", "--yes", "--skip-preview"]), "up by value");
      for (const resource of await dynamicResources(stack)) {
        expect(providerText(resource).length, resource.urn).toBeGreaterThan(10_000);
      }

      carryProvidersByReference(stack.project);
      const preview = expectSuccess(await stack.pulumi(["preview", "--json"]), "preview");
      const steps = previewSteps(preview.stdout);
      expect(steps.length).toBeGreaterThanOrEqual(5);
      expect(new Set(steps.map((step) => step.op))).toEqual(new Set(["update"]));

      stack.standin.resetRequests();
      expectSuccess(await stack.pulumi(["up", "--yes", "--skip-preview"]), "up by reference");
      expect(twilioWrites(stack)).toEqual([]);
      for (const resource of await dynamicResources(stack)) {
        expect(providerText(resource), resource.urn).toContain(
          `require("${installedProviderModule("ipAddress").replace(/ipAddress\.js$/, "")}`,
        );
        expect(providerText(resource).length, resource.urn).toBeLessThanOrEqual(1024);
      }
      expectSuccess(
        await stack.pulumi(["preview", "--refresh", "--expect-no-changes"]),
        "drift gate after the move",
      );
      expectSuccess(await stack.pulumi(["destroy", "--yes", "--skip-preview"]), "destroy");
    },
    LONG,
  );
});
