// The SIP domain and who may reach it: its name, LINE's IP list, and the two switches.
import { type LineIpAddress, parseLineIpAddresses } from "../../model/lineIpAddresses";
import { sipDomainNameProblem } from "../../model/twilio";
import type { ConfigReader } from "./reader";

export interface DomainSettings {
  sipDomainName: string;
  lineIpAddresses: LineIpAddress[];
  lineConnected: boolean;
  adoptExisting: boolean;
}

export function readDomain(r: ConfigReader): DomainSettings {
  const sipDomainName = r.text("sipDomainName").trim();
  if (sipDomainName === "") {
    r.problem(
      `${r.key("sipDomainName")} is not set: choose a unique name such as acme-line.sip.twilio.com ` +
        `(pulumi config set sipDomainName acme-line.sip.twilio.com)`,
    );
  } else {
    const problem = sipDomainNameProblem(sipDomainName);
    if (problem) r.problem(`${r.key("sipDomainName")} "${sipDomainName}" ${problem}`);
  }

  // The shared rules, also applied by the policy pack and `npm run ip-diff`.
  let ipList: unknown;
  const ipText = r.raw("lineIpAddresses");
  if (ipText !== undefined) {
    try {
      ipList = JSON.parse(ipText);
    } catch {
      // A plain string is what `pulumi config set lineIpAddresses 203.0.113.10` leaves behind.
      ipList = ipText;
    }
  }
  const ips = parseLineIpAddresses(ipList, r.key("lineIpAddresses"));
  for (const problem of ips.errors) r.problem(problem);

  const lineConnected = r.boolean("lineConnected");
  const adoptExisting = r.boolean("adoptExisting");
  r.boolean("allowWideIpRanges"); // only its form here; the policy pack applies it
  return { sipDomainName, lineIpAddresses: ips.entries, lineConnected, adoptExisting };
}
