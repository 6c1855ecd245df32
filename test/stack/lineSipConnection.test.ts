// LineSipConnection on its own: several connections fit in one stack when each has its own prefix.
import * as pulumi from "@pulumi/pulumi";
import { expect, it } from "vitest";
import { parseLineIpAddresses } from "../../model/lineIpAddresses";
import { LineSipConnection } from "../../stack/lineSipConnection";

it("lets one stack hold a connection per customer, each child under its own name", async () => {
  const names: string[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        names.push(`${args.type}::${args.name}`);
        return { id: `${args.name}-id`, state: { ...args.inputs, sid: `${args.name}-sid` } };
      },
      call: (args) => args.inputs,
    },
    "line-call",
    "multi",
  );
  const { entries } = parseLineIpAddresses([{ ip: "203.0.113.10" }]);
  const connect = (name: string, prefix: string, domainName: string) =>
    new LineSipConnection(name, {
      domainName,
      friendlyName: name,
      ipAccessControlListName: `${name} LINE`,
      ipAddresses: entries,
      webhook: {
        voiceUrl: "https://twiml.example.com/voice",
        fallbackUrl: "https://twiml.example.com/fallback",
        statusCallbackUrl: "https://twiml.example.com/status",
      },
      lineConnected: false,
      resourceNamePrefix: prefix,
    });
  const a = connect("customer-a", "customer-a-", "customer-a.sip.twilio.com");
  const b = connect("customer-b", "customer-b-", "customer-b.sip.twilio.com");
  // Every child registered: the entries only once their list's id is known.
  const registered = [a, b].flatMap((c) => [c.mapping.id, ...c.ipAddresses.map((ip) => ip.id)]);
  await new Promise((resolve) => pulumi.all(registered).apply(resolve));
  expect(new Set(names).size).toBe(names.length);
  expect(names).toContain(
    "pulumi-nodejs:dynamic/twilio:IpAddress::customer-a-line-ip-203.0.113.10-32",
  );
  expect(names).toContain(
    "pulumi-nodejs:dynamic/twilio:IpAddress::customer-b-line-ip-203.0.113.10-32",
  );
  expect(names).toContain("pulumi-nodejs:dynamic/twilio:SipDomain::customer-b-sip-domain");
});
