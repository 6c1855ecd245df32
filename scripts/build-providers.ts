// `npm run build:providers` (also run on `npm ci`/`npm install` as postinstall, and by `npm test`):
// builds node_modules/@line-call/providers from providers/ (stack/providersModule.ts), the module
// every resource's provider is loaded from — also by `pulumi refresh` and `pulumi destroy`, which
// do not run the program.
import * as path from "node:path";
import { buildProvidersModule } from "../stack/providersModule";

if (require.main === module) {
  try {
    const built = buildProvidersModule();
    console.log(
      `Providers module: ${path.relative(process.cwd(), built.dir)} (sources ${built.sourceHash.slice(0, 12)})`,
    );
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  }
}
