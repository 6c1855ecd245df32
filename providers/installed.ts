// Where the resources load their provider implementations from: an installed module,
// node_modules/@line-call/providers, built from this folder by stack/providersModule.ts (on
// `npm ci`, `npm test` and whenever the program finds it out of date).
//
// Why: Pulumi's closure serializer writes a provider that is the export of a module under
// node_modules as `require("<package>/<file>")` instead of its code. So each resource's state holds
// a few hundred bytes instead of ~30 KiB of code, and `pulumi refresh` and `pulumi destroy` run the
// code that is installed now, not the copy stored when the resource was last updated — the way
// native providers behave.
import type * as dynamic from "@pulumi/pulumi/dynamic";

export const PROVIDERS_PACKAGE = "@line-call/providers";

/** Each provider: its file in the installed module, and its export in providers/index.ts. */
export const INSTALLED_PROVIDERS = {
  sipDomain: "sipDomainProvider",
  ipAccessControlList: "ipAccessControlListProvider",
  ipAddress: "ipAddressProvider",
  ipAccessControlListMapping: "ipAccessControlListMappingProvider",
  webhookSmokeTest: "webhookSmokeTestProvider",
} as const;

export type InstalledProviderName = keyof typeof INSTALLED_PROVIDERS;

/** The module path a resource's serialized provider requires, e.g. `@line-call/providers/ipAddress.js`. */
export function installedProviderModule(name: InstalledProviderName): string {
  return `${PROVIDERS_PACKAGE}/${name}.js`;
}

/**
 * The installed implementation of one provider, for a resource to pass to `dynamic.Resource`. The
 * object must be that module's whole export (the serializer matches it in the require cache).
 */
export function installedProvider(name: InstalledProviderName): dynamic.ResourceProvider {
  const modulePath = installedProviderModule(name);
  try {
    return require(modulePath) as dynamic.ResourceProvider;
  } catch (error) {
    throw new Error(
      `${modulePath} is not installed (${(error as Error).message.split("\n")[0]}): run npm ci, or npm run build:providers`,
    );
  }
}
