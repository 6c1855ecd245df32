// SipDomain through the provider host against the Twilio stand-in: life cycle, in-place updates,
// clearing, drift, adopt and the clash message, validation in check, preview with unknowns.
import { describe, expect, it } from "vitest";
import { CheckFailedError } from "../../devkit/engine/engine";
import { secret } from "../../devkit/engine/providerHost";
import { UNKNOWN } from "../../model/pulumiEngine";
import { twilioBedPerFile } from "../support/twilioBedPerFile";

const bed = twilioBedPerFile();
let counter = 0;
const uniqueDomain = () => `line-call-test-${++counter}.sip.twilio.com`;

const liveDomain = (sid: string) => bed.standin.domains().find((d) => d.sid === sid);

describe("SipDomain life cycle", () => {
  it("creates with defaults, reads back without drift, updates in place, deletes", async () => {
    const domainName = uniqueDomain();
    const domain = bed.resource("SipDomain", "domain");
    expect((await domain.up({ domainName })).op).toBe("create");
    const sid = domain.id;
    expect(sid).toMatch(/^SD[0-9a-f]{32}$/);
    expect(domain.outputs).toMatchObject({
      sid,
      accountSid: bed.standin.accountSid,
      domainName,
      sipUri: `sip:${domainName}`,
      friendlyName: domainName,
      voiceUrl: "",
      voiceMethod: "POST",
      sipRegistration: false,
      secure: false,
      emergencyCallingEnabled: false,
    });
    // Check filled every default, so the stored inputs are complete and stable.
    expect(domain.state?.inputs).toMatchObject({
      voiceMethod: "POST",
      secure: false,
      adopt: false,
    });
    for (const value of Object.values(domain.outputs)) expect(value).not.toBeUndefined();

    // Refresh with nothing changed anywhere: the next diff is empty (--expect-no-changes).
    await domain.refresh();
    expect((await domain.preview({ domainName })).op).toBe("same");

    // Everything updates in place, including the domain name.
    const renamed = uniqueDomain();
    const declared = {
      domainName: renamed,
      friendlyName: "LINE prod",
      voiceUrl: "https://example.com/voice",
      voiceMethod: "get",
      voiceFallbackUrl: "https://example.com/fallback",
      voiceFallbackMethod: "GET",
      voiceStatusCallbackUrl: "https://example.com/status",
      voiceStatusCallbackMethod: "GET",
      sipRegistration: true,
      secure: true,
      emergencyCallingEnabled: true,
    };
    const step = await domain.up(declared);
    expect(step).toEqual({ op: "update", replaces: [] });
    expect(domain.id).toBe(sid);
    expect(liveDomain(sid)).toMatchObject({
      domain_name: renamed,
      friendly_name: "LINE prod",
      voice_url: "https://example.com/voice",
      voice_method: "GET",
      voice_fallback_url: "https://example.com/fallback",
      voice_status_callback_url: "https://example.com/status",
      voice_status_callback_method: "GET",
      sip_registration: true,
      secure: true,
      emergency_calling_enabled: true,
    });
    await domain.refresh();
    expect((await domain.preview(declared)).op).toBe("same");

    await domain.destroy();
    expect(liveDomain(sid)).toBeUndefined();
  });

  it("clearing an optional field clears it in Twilio, and a later read agrees", async () => {
    const domainName = uniqueDomain();
    const domain = bed.resource("SipDomain", "clearing");
    await domain.up({ domainName, voiceUrl: "https://example.com/voice", voiceMethod: "GET" });
    expect(liveDomain(domain.id)?.voice_url).toBe("https://example.com/voice");

    // lineConnected back to false: the program no longer passes voiceUrl.
    expect((await domain.up({ domainName })).op).toBe("update");
    expect(liveDomain(domain.id)).toMatchObject({ voice_url: null, voice_method: "POST" });
    await domain.refresh();
    expect(domain.outputs.voiceUrl).toBe("");
    expect((await domain.preview({ domainName })).op).toBe("same");
    await domain.destroy();
  });

  it("refresh shows console drift (even in fields never set) and the next up corrects it", async () => {
    const domainName = uniqueDomain();
    const domain = bed.resource("SipDomain", "drift");
    await domain.up({ domainName });
    bed.standin.edit("domain", domain.id, {
      voice_url: "https://console.example/added-by-hand",
      secure: true,
    });
    await domain.refresh();
    expect(domain.outputs).toMatchObject({
      voiceUrl: "https://console.example/added-by-hand",
      secure: true,
    });
    expect(domain.state?.inputs).toMatchObject({
      voiceUrl: "https://console.example/added-by-hand",
    });
    expect(await domain.preview({ domainName })).toMatchObject({ op: "update", replaces: [] });
    await domain.up({ domainName });
    expect(liveDomain(domain.id)).toMatchObject({ voice_url: null, secure: false });
    await domain.destroy();
  });

  it("a domain deleted outside Pulumi reads as gone, and deleting it again succeeds", async () => {
    const domain = bed.resource("SipDomain", "gone");
    await domain.up({ domainName: uniqueDomain() });
    const state = domain.state;
    bed.standin.remove("domain", domain.id);
    expect(await domain.refresh()).toEqual({ exists: false });
    // A destroy from the stale state (no refresh) must succeed too.
    domain.state = state;
    await domain.destroy();
  });
});

describe("SipDomain adopt", () => {
  it("without adopt, a taken name fails naming the existing SID and the adopt option", async () => {
    const domainName = uniqueDomain();
    const first = bed.resource("SipDomain", "first");
    await first.up({ domainName, voiceUrl: "https://someone-else.example/voice" });
    const second = bed.resource("SipDomain", "second");
    const failure = await second.up({ domainName }).catch((e: Error) => e);
    expect(String(failure)).toContain(first.id);
    expect(String(failure)).toContain("adopt: true");
    expect(bed.standin.domains().filter((d) => d.domain_name === domainName)).toHaveLength(1);
    await first.destroy();
  });

  it("without adopt, takes over what its own lost create leaves: the declared settings, no list mapped", async () => {
    const domainName = uniqueDomain();
    const declared = { domainName, voiceFallbackUrl: "https://example.com/fallback" };
    // Twilio holds the domain; the state of the create that made it is lost.
    const lost = bed.resource("SipDomain", "lost-create");
    await lost.up(declared);
    const leftBehind = lost.id;
    lost.state = undefined;
    const domain = bed.resource("SipDomain", "declared");
    expect((await domain.up(declared)).op).toBe("create");
    expect(domain.id).toBe(leftBehind);
    expect(bed.standin.domains().filter((d) => d.domain_name === domainName)).toHaveLength(1);
    await domain.refresh();
    expect((await domain.preview(declared)).op).toBe("same");

    // The same settings, but a list is mapped to it: in use, so someone else's.
    const list = bed.resource("IpAccessControlList", "mapped");
    await list.up({ friendlyName: `${domainName} list` });
    const mapping = bed.resource("IpAccessControlListMapping", "mapped");
    await mapping.up({ domainSid: domain.id, ipAccessControlListSid: list.id });
    const clash = await bed
      .resource("SipDomain", "clash")
      .up(declared)
      .catch((e: Error) => String(e));
    expect(clash).toContain(domain.id);
    expect(clash).toContain("adopt: true");
    await mapping.destroy();
    await list.destroy();
    await domain.destroy();
  });

  it("with adopt, takes over a hand-made domain and updates it to the declared settings", async () => {
    const domainName = uniqueDomain();
    const byHand = bed.resource("SipDomain", "by-hand");
    await byHand.up({ domainName, voiceUrl: "https://old.example/voice", secure: true });
    const sid = byHand.id;

    const adopted = bed.resource("SipDomain", "adopted");
    await adopted.up({ domainName, adopt: true, friendlyName: "adopted" });
    expect(adopted.id).toBe(sid);
    expect(bed.standin.domains().filter((d) => d.domain_name === domainName)).toHaveLength(1);
    expect(liveDomain(sid)).toMatchObject({
      friendly_name: "adopted",
      voice_url: null,
      secure: false,
    });
    expect(adopted.outputs.adopt).toBe(true);
    await adopted.refresh();
    expect((await adopted.preview({ domainName, adopt: true, friendlyName: "adopted" })).op).toBe(
      "same",
    );
    await adopted.destroy();
  });
});

describe("SipDomain check", () => {
  const failuresOf = async (inputs: Record<string, unknown>) => {
    const error = await bed
      .resource("SipDomain", "invalid")
      .up(inputs)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckFailedError);
    return (error as CheckFailedError).failures;
  };

  it("names the property and the fix, before any Twilio call", async () => {
    bed.standin.resetRequests();
    expect(await failuresOf({})).toEqual([
      {
        property: "domainName",
        reason:
          "domainName is required: set it to <name>.sip.twilio.com, e.g. acme-line.sip.twilio.com",
      },
    ]);
    const bad = await failuresOf({
      domainName: "line.example.com",
      friendlyName: "x".repeat(65),
      voiceUrl: "example.com/voice",
      voiceFallbackUrl: "ftp://example.com/x",
      voiceMethod: "PUT",
      secure: "yes",
      voiceURL: "https://typo.example",
    });
    const byProperty = Object.fromEntries(bad.map((f) => [f.property, f.reason]));
    expect(Object.keys(byProperty).sort()).toEqual(
      [
        "domainName",
        "friendlyName",
        "secure",
        "voiceFallbackUrl",
        "voiceMethod",
        "voiceURL",
        "voiceUrl",
      ].sort(),
    );
    expect(byProperty.domainName).toContain(".sip.twilio.com");
    expect(byProperty.friendlyName).toContain("64");
    expect(byProperty.voiceUrl).toContain("absolute http(s) URL");
    expect(byProperty.voiceMethod).toContain("GET or POST");
    expect(byProperty.voiceURL).toContain("not a known property");
    expect((await failuresOf({ domainName: "-bad-.sip.twilio.com" }))[0].property).toBe(
      "domainName",
    );
    expect(bed.standin.requests).toEqual([]);
  });

  it("refuses URLs Twilio would store other than they parse, over-long ones and credentials", async () => {
    bed.standin.resetRequests();
    const domainName = uniqueDomain();
    const refused = async (field: string, url: string) => {
      const failures = await failuresOf({ domainName, [field]: url });
      expect(failures.map((f) => f.property)).toEqual([field]);
      return failures[0].reason;
    };
    for (const [field, url] of [
      ["voiceUrl", " https://example.com/voice"],
      ["voiceFallbackUrl", "https://example.com/fallback\n"],
      ["voiceStatusCallbackUrl", "https://example.com/sta\ttus"],
      ["voiceUrl", "https://example.com/voice?a=b c"],
    ]) {
      const reason = await refused(field, url);
      expect(reason).toContain(`${field} must not contain spaces, tabs or newlines`);
      expect(reason).toContain("remove them");
    }
    const long = `https://example.com/${"a".repeat(4000)}`;
    const tooLong = await refused("voiceUrl", long);
    expect(tooLong).toContain(`is ${long.length} characters`);
    expect(tooLong).toContain("at most 4000");
    const longest = long.slice(0, 4000);
    const checked = await bed
      .resource("SipDomain", "longest-url")
      .preview({ domainName, voiceUrl: longest });
    expect(checked.inputs.voiceUrl).toBe(longest);
    for (const url of [
      "https://line:s3cret-pass@example.com/voice",
      "https://line@example.com/voice",
      "https://@example.com/voice",
    ]) {
      const reason = await refused("voiceFallbackUrl", url);
      expect(reason).toContain("must not contain user:password@ credentials");
      expect(reason).toContain("Pulumi state");
      expect(reason).toContain("X-Twilio-Signature");
      // The message names the host, never the credentials.
      expect(reason).not.toContain("s3cret");
      expect(reason).toContain("https://example.com");
    }
    expect(bed.standin.requests).toEqual([]);
  });

  it("defaults friendlyName to the domain name, or its label when the name is over 64 characters", async () => {
    const fits = `${"a".repeat(49)}.sip.twilio.com`; // 64 characters
    const label = `line-call-${"b".repeat(43)}`; // 53 characters: the name is 68
    const longest = `${"c".repeat(63)}.sip.twilio.com`;
    for (const [domainName, friendlyName] of [
      [fits, fits],
      [`${label}.sip.twilio.com`, label],
      [longest, "c".repeat(63)],
    ]) {
      const domain = bed.resource("SipDomain", `default-name-${friendlyName.length}`);
      const { inputs } = await domain.preview({ domainName });
      expect(inputs.friendlyName).toBe(friendlyName);
      expect((await domain.up({ domainName })).op).toBe("create");
      expect(liveDomain(domain.id)?.friendly_name).toBe(friendlyName);
      await domain.refresh();
      expect((await domain.preview({ domainName })).op).toBe("same");
      await domain.destroy();
    }
  });

  it("a secret input reaches the provider as its plain value (the host does not take secrets)", async () => {
    const domainName = uniqueDomain();
    const domain = bed.resource("SipDomain", "secret-input");
    const voiceUrl = "https://example.com/voice?token=kept-secret";
    await domain.up({ domainName, voiceUrl: secret(voiceUrl) });
    expect(liveDomain(domain.id)?.voice_url).toBe(voiceUrl);
    expect((await domain.preview({ domainName, voiceUrl: secret(voiceUrl) })).op).toBe("same");
    await domain.destroy();
  });

  it("passes unknowns through in preview: in-place fields update, nothing is replaced", async () => {
    const domainName = uniqueDomain();
    const domain = bed.resource("SipDomain", "preview");
    expect((await domain.preview({ domainName, voiceUrl: UNKNOWN })).inputs.voiceUrl).toBe(UNKNOWN);
    await domain.up({ domainName });
    expect(await domain.preview({ domainName, voiceUrl: UNKNOWN })).toMatchObject({
      op: "update",
      replaces: [],
    });
    expect(await domain.preview({ domainName: UNKNOWN })).toMatchObject({
      op: "update",
      replaces: [],
    });
    await domain.destroy();
  });
});
