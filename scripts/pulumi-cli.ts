// `npm run pulumi-cli`: makes sure a real Pulumi toolchain exists on this machine (see
// devkit/pulumiToolchain.ts) and prints, as its last line, the directory to put on PATH.
// Set LINE_CALL_BUILD_PULUMI=1 to build even when a `pulumi` is on PATH.
import {
  findOrBuildPulumi,
  lockedPulumiVersion,
  log,
  PulumiUnavailableError,
  toolchainBin,
} from "../devkit/pulumiToolchain";

function main(): void {
  const version = lockedPulumiVersion();
  const bin = findOrBuildPulumi();
  if (bin !== toolchainBin(version)) {
    log(`using the pulumi on PATH (${bin}); the SDK in package-lock.json is ${version}`);
  }
  process.stdout.write(`${bin}\n`);
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    log((error as Error).message);
    if (error instanceof PulumiUnavailableError) log(`to get one: ${error.fix}`);
    process.exit(1);
  }
}
