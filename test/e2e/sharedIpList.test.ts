// The shared LINE IP list (Pulumi.yaml: config: lineIpAddresses: value:) through the real Pulumi
// CLI: a customer stack without a list of its own gets the project's, a change to the shared list
// reaches it as exactly the entries added and removed, and a list of its own overrides it. At each
// step the devkit reader (configOrigin/configValue, used by `npm run validate` and `npm run
// ip-diff`) is fed the same files and must name the same entries as the engine declares.
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import {
  createEngineStack,
  type EngineStack,
  engineTestsEnabled,
  expectSuccess,
  previewSteps,
} from "../../devkit/engine/cliStack";
import {
  configOrigin,
  configValue,
  loadProjectDefaults,
  parseStackFile,
} from "../../devkit/stackFile";
import { LINE_IP_ADDRESSES_KEY, parseLineIpAddresses } from "../../model/lineIpAddresses";

const enabled = engineTestsEnabled();
const LONG = 400_000;
const IP_TYPE = "dynamic/twilio:IpAddress";

describe.runIf(enabled)("the shared LINE IP list in Pulumi.yaml, under the real CLI", () => {
  let stack: EngineStack;
  let projectFile: string;

  beforeAll(async () => {
    stack = await createEngineStack("customer");
    projectFile = path.join(stack.project, "Pulumi.yaml");
    // A customer stack as `tenants new` writes it: no list of its own.
    const { [LINE_IP_ADDRESSES_KEY]: _own, ...rest } = stack.readConfig();
    stack.writeConfig(rest);
  }, LONG);
  afterAll(() => stack?.close());

  /** What the devkit reader says the stack's list is, from the same two files the CLI reads. */
  function devkitList() {
    const file = parseStackFile(readFileSync(stack.configFile, "utf8"), stack.configFile);
    const project = loadProjectDefaults(stack.project);
    const { entries, errors } = parseLineIpAddresses(
      configValue(file.config, LINE_IP_ADDRESSES_KEY, project),
    );
    expect(errors).toEqual([]);
    return {
      origin: configOrigin(file.config, LINE_IP_ADDRESSES_KEY, project),
      names: entries.map((e) => e.resourceName).sort(),
    };
  }

  /** The IP entries a preview would create and delete, by resource name. */
  async function ipSteps() {
    const preview = expectSuccess(await stack.pulumi(["preview", "--json"]), "preview");
    const steps = previewSteps(preview.stdout).filter((s) => s.urn.includes(IP_TYPE));
    const named = (op: string) =>
      steps
        .filter((s) => s.op === op)
        .map((s) => s.urn.split("::").pop())
        .sort();
    return { create: named("create"), delete: named("delete"), all: steps };
  }

  function setSharedList(entries: Array<{ ip: string; label?: string }>) {
    const project = YAML.parse(readFileSync(projectFile, "utf8"));
    project.config.lineIpAddresses.value = entries;
    writeFileSync(projectFile, YAML.stringify(project));
  }

  it(
    "a stack without its own list declares, deploys and reads back the project's list",
    async () => {
      const shared = devkitList();
      expect(shared.origin).toBe("project");
      expect(shared.names.length).toBeGreaterThan(0);

      // The CLI hands the program Pulumi.yaml's value as the stack's config.
      const got = expectSuccess(
        await stack.pulumi(["config", "get", "line-call:lineIpAddresses", "--json"]),
        "config get",
      );
      expect(JSON.parse(got.stdout).objectValue).toEqual(
        YAML.parse(readFileSync(projectFile, "utf8")).config.lineIpAddresses.value,
      );

      const first = await ipSteps();
      expect(first.create).toEqual(shared.names);
      expect(first.delete).toEqual([]);
      expectSuccess(await stack.pulumi(["up", "--yes", "--skip-preview"]), "pulumi up");
      const live = stack.standin
        .ipAddresses()
        .map((e) => `line-ip-${e.ip_address}-${e.cidr_prefix_length}`)
        .sort();
      expect(live).toEqual(shared.names);
    },
    LONG,
  );

  it(
    "a LINE IP change in Pulumi.yaml alone is exactly its entries, created and deleted",
    async () => {
      const before = devkitList().names;
      const project = YAML.parse(readFileSync(projectFile, "utf8"));
      const current = project.config.lineIpAddresses.value as Array<{ ip: string }>;
      // LINE withdraws the last address and adds one.
      setSharedList([...current.slice(0, -1), { ip: "203.0.113.12", label: "LINE SIP new" }]);
      const after = devkitList();
      expect(after.origin).toBe("project");
      const steps = await ipSteps();
      expect(steps.create).toEqual(after.names.filter((n) => !before.includes(n)));
      expect(steps.create).toEqual(["line-ip-203.0.113.12-32"]);
      expect(steps.delete).toEqual(before.filter((n) => !after.names.includes(n)));
      expect(steps.delete).toHaveLength(1);
      expect(steps.all).toHaveLength(2);
    },
    LONG,
  );

  it(
    "a list in the stack file overrides the shared one for that stack only",
    async () => {
      stack.writeConfig({
        ...stack.readConfig(),
        [LINE_IP_ADDRESSES_KEY]: [{ ip: "192.0.2.50", label: "this customer's own" }],
      });
      const own = devkitList();
      expect(own).toEqual({ origin: "stack", names: ["line-ip-192.0.2.50-32"] });
      const live = stack.standin.ipAddresses().map((e) => `line-ip-${e.ip_address}-32`);
      const steps = await ipSteps();
      expect(steps.create).toEqual(own.names);
      expect(steps.delete).toEqual(live.sort());
    },
    LONG,
  );
});
