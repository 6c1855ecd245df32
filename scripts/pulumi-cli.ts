// `npm run pulumi-cli`: makes sure a real Pulumi toolchain exists on this machine (see
// devkit/pulumiToolchain.ts) and prints, as its last line, the directory to put on PATH.
// Set LINE_CALL_BUILD_PULUMI=1 to build even when a `pulumi` is on PATH.
import { ensureToolchain, lockedPulumiVersion, log, pulumiOnPath } from "../devkit/pulumiToolchain";

function main(): void {
  const version = lockedPulumiVersion();
  const onPath = process.env.LINE_CALL_BUILD_PULUMI ? undefined : pulumiOnPath();
  if (onPath) {
    log(`using the pulumi on PATH (${onPath}); the SDK in package-lock.json is ${version}`);
    process.stdout.write(`${onPath}\n`);
    return;
  }
  process.stdout.write(`${ensureToolchain(version)}\n`);
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    log((error as Error).message);
    process.exit(1);
  }
}
