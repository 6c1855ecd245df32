// `npm run ip-diff` on real git history: a temporary repository with two commits and a working
// tree, the script run as a child process exactly as a reviewer or the PR workflow runs it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TempGitRepo } from "../support/gitRepo";

const PROJECT = `name: line-call
runtime: nodejs
config:
  lineConnected:
    type: boolean
    default: false
  allowWideIpRanges:
    type: boolean
    default: false
`;

/** The rest of a stack the program accepts: ip-diff judges the whole file with its rules. */
const REST = `  twilio:accountSid: AC0123456789abcdef0123456789abcdef
  line-call:forwardTo: sip:reception@pbx.example.com
`;
const SIP_DOMAIN = "  line-call:sipDomainName: acme-line.sip.twilio.com\n";

const prodAtBase = `config:
${REST}  line-call:sipDomainName: acme-line.sip.twilio.com
  # Documentation addresses: LINE supplies the real ones.
  line-call:lineIpAddresses:
    - ip: 203.0.113.10
      label: LINE SIP 1
    - ip: 203.0.113.11
    - ip: 203.0.113.12
      label: LINE SIP 3
  line-call:lineConnected: false
`;

const prodAtHead = `config:
${REST}  line-call:sipDomainName: acme-line.sip.twilio.com
  line-call:lineIpAddresses:
    - ip: 203.0.113.11
    - ip: 203.0.113.20
      label: LINE SIP 4
    - ip: 203.0.113.10
      label: LINE SIP primary
  line-call:lineConnected: true
`;

const dev = `config:
${REST}  line-call:sipDomainName: acme-line-dev.sip.twilio.com
  line-call:lineIpAddresses:
    - ip: 198.51.100.7
`;

describe("npm run ip-diff -- <base-ref>", () => {
  const repo = new TempGitRepo();
  let base: string;

  beforeAll(() => {
    base = repo.commit("Base: prod and dev stacks, and a stack about to be retired", {
      "Pulumi.yaml": PROJECT,
      "Pulumi.prod.yaml": prodAtBase,
      "Pulumi.dev.yaml": dev,
      "Pulumi.old.yaml": dev,
    });
    repo.commit("Change prod's LINE IPs and connect it; add staging; retire old", {
      "Pulumi.prod.yaml": prodAtHead,
      "Pulumi.old.yaml": null,
      // `pulumi config set lineIpAddresses '[…]'` without --path stores a JSON string.
      "Pulumi.staging.yaml": `config:\n${REST}${SIP_DOMAIN}  line-call:lineIpAddresses: '[{"ip":"192.0.2.1"},{"ip":"192.0.2.2","label":"LINE B"}]'\n`,
    });
  });
  afterAll(() => repo.remove());

  it("reports per stack the added, removed and changed entries and the lineConnected flip", () => {
    const { status, stdout, stderr } = repo.run("scripts/ip-diff.ts", [base]);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toBe(
      [
        `LINE IP allow-lists: working tree compared with ${base}`,
        "",
        "# dev (Pulumi.dev.yaml): no IP list changes; 1 entry",
        "",
        "# old (Pulumi.old.yaml): stack file deleted; it declared 1 entry. Deleting the file does not destroy the stack: run pulumi destroy and pulumi stack rm for that",
        "- 198.51.100.7/32  (was line-ip-198.51.100.7-32)",
        "",
        "# prod (Pulumi.prod.yaml): 1 added, 1 removed, 1 changed; 3 entries",
        '+ 203.0.113.20/32  "LINE SIP 4"  (new resource line-ip-203.0.113.20-32)',
        '- 203.0.113.12/32  "LINE SIP 3"  (deletes line-ip-203.0.113.12-32)',
        '~ 203.0.113.10/32  Twilio friendly name "LINE SIP 1" → "LINE SIP primary"  (updated in place)',
        "~ line-call:lineConnected: false → true",
        "",
        "# staging (Pulumi.staging.yaml): new stack; 2 added, 0 removed, 0 changed; 2 entries",
        "+ 192.0.2.1/32  (new resource line-ip-192.0.2.1-32)",
        '+ 192.0.2.2/32  "LINE B"  (new resource line-ip-192.0.2.2-32)',
        "",
        "Valid: all 4 stacks' config, LINE IP lists included.",
        "",
      ].join("\n"),
    );
  });

  it("limits the report to the stacks named after the ref", () => {
    const { status, stdout } = repo.run("scripts/ip-diff.ts", [base, "dev"]);
    expect(status).toBe(0);
    expect(stdout).toContain("# dev (Pulumi.dev.yaml)");
    expect(stdout).not.toContain("# prod");
  });

  it("fails on the program's validation errors and the /24 policy, naming each entry", () => {
    repo.write({
      "Pulumi.prod.yaml": `config:
${REST}${SIP_DOMAIN}  line-call:lineIpAddresses:
    - ip: 203.0.113.11
    - ip: 203.0.113.11
    - ip: 203.0.113.300
    - ip: 203.0.113.40
      cidrPrefixLength: 0
    - ip: 11.1.0.0
      cidrPrefixLength: 16
`,
    });
    const { status, stdout } = repo.run("scripts/ip-diff.ts", ["HEAD"]);
    expect(status).toBe(1);
    const problems = stdout.split("\n").filter((line) => line.startsWith("! "));
    expect(problems).toEqual([
      "! line-call:lineIpAddresses[1] duplicates line-call:lineIpAddresses[0] (203.0.113.11/32): remove one of them",
      expect.stringMatching(
        /^! line-call:lineIpAddresses\[2\]\.ip "203\.0\.113\.300" is not an IPv4/,
      ),
      expect.stringMatching(/^! line-call:lineIpAddresses\[3\]\.cidrPrefixLength 0 is not allowed/),
      expect.stringMatching(
        /^! policy line-ip-range-at-most-24: 11\.1\.0\.0\/16 admits 65,536 addresses, wider than \/24/,
      ),
    ]);
    expect(stdout).toContain("1 stack invalid (prod): fix the lines marked ! before merging.");
  });

  it("flags every value the program would refuse, not only the IP list's", () => {
    repo.write({
      "Pulumi.prod.yaml": `config:
${REST}${SIP_DOMAIN}  line-call:lineConnected: yes
  line-call:dialTimeout: 2
  line-call:lineIpAddresses:
    - ip: 203.0.113.10
      cidrPrefixLength: "32"
    - 203.0.113.11
`,
    });
    const { status, stdout } = repo.run("scripts/ip-diff.ts", ["HEAD", "prod"]);
    expect(status).toBe(1);
    expect(stdout).toContain('~ line-call:lineConnected: true → "yes"');
    const problems = stdout.split("\n").filter((line) => line.startsWith("! "));
    expect(problems).toEqual([
      expect.stringMatching(
        /^! line-call:lineIpAddresses\[0\]\.cidrPrefixLength "32" is a quoted string: write the number without quotes/,
      ),
      expect.stringMatching(
        /^! line-call:lineIpAddresses\[1\] is the bare value "203\.0\.113\.11": write each entry as an object, - ip: 203\.0\.113\.11/,
      ),
      '! line-call:lineConnected must be true or false, not "yes"',
      expect.stringMatching(/^! line-call:dialTimeout "2" must be a whole number of seconds/),
    ]);
    expect(stdout).toContain("1 stack invalid (prod)");
  });

  it("judges the file, not the machine: the deploy's secret token and region are taken as given", () => {
    repo.write({
      "Pulumi.prod.yaml": `config:\n${REST}${SIP_DOMAIN}  line-call:lineIpAddresses:\n    - ip: 203.0.113.10\n`,
    });
    const withoutEnv = repo.run("scripts/ip-diff.ts", ["HEAD", "prod"], undefined, {
      TWILIO_AUTH_TOKEN: "",
      AWS_REGION: "",
    });
    expect(withoutEnv.stdout).toContain("Valid: the stack's config");
    expect(withoutEnv.status).toBe(0);
    repo.write({
      "Pulumi.prod.yaml": `config:\n${REST}${SIP_DOMAIN}  twilio:authToken: 0123456789abcdef0123456789abcdef\n  line-call:lineIpAddresses:\n    - ip: 203.0.113.10\n`,
    });
    const plaintext = repo.run("scripts/ip-diff.ts", ["HEAD", "prod"]);
    expect(plaintext.stdout).toMatch(
      /! twilio:authToken is stored in plaintext in Pulumi\.prod\.yaml/,
    );
    expect(plaintext.status).toBe(1);
  });

  it("accepts the wide range once the stack opts in with line-call:allowWideIpRanges", () => {
    repo.write({
      "Pulumi.prod.yaml": `config:
${REST}${SIP_DOMAIN}  line-call:lineIpAddresses:
    - ip: 11.1.0.0
      cidrPrefixLength: 16
  line-call:allowWideIpRanges: true
`,
    });
    const { status, stdout } = repo.run("scripts/ip-diff.ts", ["HEAD", "prod"]);
    expect(stdout).toContain("~ line-call:allowWideIpRanges: false → true");
    expect(stdout).toContain("Valid: the stack's config, LINE IP lists included.");
    expect(status).toBe(0);
  });

  it("refuses more than 100 entries, as Twilio does", () => {
    const many = Array.from({ length: 101 }, (_, i) => `    - ip: 203.0.113.${i}`).join("\n");
    repo.write({
      "Pulumi.prod.yaml": `config:\n${REST}${SIP_DOMAIN}  line-call:lineIpAddresses:\n${many}\n`,
    });
    const { status, stdout } = repo.run("scripts/ip-diff.ts", ["HEAD", "prod"]);
    expect(status).toBe(1);
    expect(stdout).toMatch(
      /! line-call:lineIpAddresses has 101 entries; Twilio allows at most 100/,
    );
  });

  it("reports a stack file that is not valid YAML instead of crashing", () => {
    repo.write({ "Pulumi.prod.yaml": "config:\n  line-call:lineIpAddresses: [\n" });
    const { status, stdout } = repo.run("scripts/ip-diff.ts", ["HEAD", "prod"]);
    expect(status).toBe(1);
    expect(stdout).toMatch(/! Pulumi\.prod\.yaml is not valid YAML/);
  });

  it("exits 2 with usage on a missing or unknown base ref", () => {
    expect(repo.run("scripts/ip-diff.ts", []).status).toBe(2);
    const unknown = repo.run("scripts/ip-diff.ts", ["origin/nope"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/origin\/nope is not a commit here/);
  });
});

describe("npm run ip-diff with the shared LINE IP list in Pulumi.yaml", () => {
  const repo = new TempGitRepo();
  const sharedList = (entries: string[]) =>
    `${PROJECT}  lineIpAddresses:\n    value:\n${entries.map((e) => `      - ${e}\n`).join("")}`;
  const customer = (name: string, own = "") =>
    `config:\n${REST}  line-call:sipDomainName: ${name}-line.sip.twilio.com\n${own}`;
  const OWN_LIST = "  line-call:lineIpAddresses:\n    - ip: 192.0.2.50\n";
  let base: string;

  beforeAll(() => {
    base = repo.commit("Three customers, one with a list of its own", {
      "Pulumi.yaml": sharedList(['{ip: 203.0.113.10, label: "LINE SIP 1"}', "{ip: 203.0.113.11}"]),
      "Pulumi.aoba.yaml": customer("aoba"),
      "Pulumi.kita.yaml": customer("kita"),
      "Pulumi.minato.yaml": customer("minato", OWN_LIST),
    });
  });
  afterAll(() => repo.remove());

  it("shows a LINE IP change once, and its effect in every customer that inherits it", () => {
    repo.write({
      "Pulumi.yaml": sharedList(['{ip: 203.0.113.10, label: "LINE SIP 1"}', "{ip: 203.0.113.12}"]),
    });
    const { status, stdout, stderr } = repo.run("scripts/ip-diff.ts", [base]);
    expect(stderr).toBe("");
    expect(stdout).toBe(
      [
        `LINE IP allow-lists: working tree compared with ${base}`,
        "",
        "# Shared list (Pulumi.yaml): 1 added, 1 removed, 0 changed; 2 entries; inherited by 2 stacks (aoba, kita); own list in minato",
        "+ 203.0.113.12/32  (new resource line-ip-203.0.113.12-32)",
        "- 203.0.113.11/32  (deletes line-ip-203.0.113.11-32)",
        "",
        "# aoba (Pulumi.aoba.yaml), shared list: 1 added, 1 removed, 0 changed; 2 entries",
        "",
        "# kita (Pulumi.kita.yaml), shared list: 1 added, 1 removed, 0 changed; 2 entries",
        "",
        "# minato (Pulumi.minato.yaml), own list (the shared list's change does not reach it): no IP list changes; 1 entry",
        "",
        "Valid: all 3 stacks' config, LINE IP lists included.",
        "",
      ].join("\n"),
    );
    expect(status).toBe(0);
  });

  it("shows a customer moving onto the shared list or off it entry by entry", () => {
    repo.write({
      "Pulumi.yaml": sharedList(['{ip: 203.0.113.10, label: "LINE SIP 1"}', "{ip: 203.0.113.11}"]),
      "Pulumi.minato.yaml": customer("minato"),
      "Pulumi.kita.yaml": customer("kita", OWN_LIST),
    });
    const { status, stdout } = repo.run("scripts/ip-diff.ts", [base, "kita", "minato"]);
    expect(status).toBe(0);
    expect(stdout).toContain(
      "# Shared list (Pulumi.yaml): no IP list changes; 2 entries; inherited by 1 stack (minato); own list in kita",
    );
    expect(stdout).toContain(
      [
        "# kita (Pulumi.kita.yaml), own list: 1 added, 2 removed, 0 changed; 1 entry",
        "+ 192.0.2.50/32  (new resource line-ip-192.0.2.50-32)",
        '- 203.0.113.10/32  "LINE SIP 1"  (deletes line-ip-203.0.113.10-32)',
        "- 203.0.113.11/32  (deletes line-ip-203.0.113.11-32)",
      ].join("\n"),
    );
    expect(stdout).toContain(
      [
        "# minato (Pulumi.minato.yaml), shared list: 2 added, 1 removed, 0 changed; 2 entries",
        '+ 203.0.113.10/32  "LINE SIP 1"  (new resource line-ip-203.0.113.10-32)',
        "+ 203.0.113.11/32  (new resource line-ip-203.0.113.11-32)",
        "- 192.0.2.50/32  (deletes line-ip-192.0.2.50-32)",
      ].join("\n"),
    );
  });

  it("marks a bad shared list in every customer it would break, and exits 1", () => {
    repo.write({
      "Pulumi.yaml": sharedList(["{ip: 203.0.113.10}", "{ip: 203.0.113.300}"]),
      "Pulumi.minato.yaml": customer("minato", OWN_LIST),
      "Pulumi.kita.yaml": customer("kita"),
    });
    const { status, stdout } = repo.run("scripts/ip-diff.ts", [base]);
    expect(status).toBe(1);
    const problems = stdout.split("\n").filter((line) => line.startsWith("! "));
    expect(problems).toHaveLength(2);
    for (const problem of problems) {
      expect(problem).toMatch(
        /^! line-call:lineIpAddresses\[1\]\.ip "203\.0\.113\.300" is not an IPv4/,
      );
    }
    expect(stdout).toContain(
      "2 stacks invalid (aoba, kita): fix the lines marked ! before merging.",
    );
  });
});
