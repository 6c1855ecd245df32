// `npm run build:lambda`: builds the webhook's bundle (stack/lambdaBundle.ts) by hand and says
// what went in. `pulumi up` builds the same bundle by itself.
import * as path from "node:path";
import { buildLambdaBundle, LAMBDA_HANDLER, LAMBDA_RUNTIME } from "../stack/lambdaBundle";

if (require.main === module) {
  buildLambdaBundle().then(
    (bundle) => {
      const relative = path.relative(process.cwd(), bundle.outfile);
      console.log(
        `Lambda bundle: ${relative} (${(bundle.bytes / 1024).toFixed(1)} KiB, handler ${LAMBDA_HANDLER}, ${LAMBDA_RUNTIME}; bundled packages: ${bundle.packages.join(", ")})`,
      );
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
