// The encrypted (`secure:`) values of a stack file, decrypted outside the Pulumi CLI so that
// `npm run validate` can judge a secret's form (an auth token that is not 32 hex digits) before a
// preview would. Only the passphrase secrets provider can be read this way: its key comes from the
// passphrase and the file's `encryptionsalt` alone. Any other provider (awskms://, Pulumi Cloud…)
// needs the service, so its values are reported as not checked.
//
// The scheme is Pulumi's own (pkg/secrets/passphrase and sdk/go/common/resource/config/crypt.go):
// key = PBKDF2-SHA256(passphrase, salt, 1,000,000 iterations, 32 bytes); each value is
// `v1:<base64 nonce>:<base64 AES-256-GCM ciphertext and tag>`; `encryptionsalt` is
// `v1:<base64 salt>:<the word "pulumi" encrypted>`, which tells a wrong passphrase apart.
// node:crypto does the cryptography; test/devkit/stackSecrets.test.ts decrypts what the real CLI
// encrypted.
import { createDecipheriv, pbkdf2Sync } from "node:crypto";
import { readFileSync } from "node:fs";

const PBKDF2_ITERATIONS = 1_000_000;
const KEY_BYTES = 32;
const GCM_TAG_BYTES = 16;

/** The passphrase the Pulumi CLI would use, from the same two variables; undefined when neither. */
export function passphraseFrom(
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (env.PULUMI_CONFIG_PASSPHRASE !== undefined) return env.PULUMI_CONFIG_PASSPHRASE;
  const file = env.PULUMI_CONFIG_PASSPHRASE_FILE;
  return file ? readFileSync(file, "utf8").replace(/\r?\n$/, "") : undefined;
}

function decryptValue(key: Buffer, value: string): string {
  const [version, nonce, sealed, ...rest] = value.split(":");
  if (version !== "v1" || nonce === undefined || sealed === undefined || rest.length > 0) {
    throw new Error("not a v1 passphrase-encrypted value");
  }
  const bytes = Buffer.from(sealed, "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(nonce, "base64"));
  decipher.setAuthTag(bytes.subarray(bytes.length - GCM_TAG_BYTES));
  return Buffer.concat([
    decipher.update(bytes.subarray(0, bytes.length - GCM_TAG_BYTES)),
    decipher.final(),
  ]).toString("utf8");
}

export type SecretsReading =
  /** Every `secure:` value, by key. */
  | { decrypted: Record<string, string> }
  /** Why they could not be read: said as "not checked". */
  | { notChecked: string };

/**
 * Decrypts the `secure:` values of a stack file's config. `secrets` maps each key to its
 * ciphertext; `encryptionSalt` is the file's `encryptionsalt` (absent for other providers).
 */
export function decryptStackSecrets(
  secrets: Record<string, string>,
  encryptionSalt: string | undefined,
  passphrase: string | undefined,
): SecretsReading {
  if (Object.keys(secrets).length === 0) return { decrypted: {} };
  if (encryptionSalt === undefined) {
    return {
      notChecked:
        "the stack's secrets provider is not a passphrase (no encryptionsalt): only pulumi preview can decrypt its values",
    };
  }
  if (passphrase === undefined) {
    return {
      notChecked:
        "set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to have them decrypted and checked too",
    };
  }
  const [version, salt] = encryptionSalt.split(":");
  if (version !== "v1" || salt === undefined) {
    return { notChecked: `encryptionsalt is not in a form this check knows (${version}:…)` };
  }
  const key = pbkdf2Sync(
    passphrase,
    Buffer.from(salt, "base64"),
    PBKDF2_ITERATIONS,
    KEY_BYTES,
    "sha256",
  );
  try {
    if (decryptValue(key, encryptionSalt.slice(encryptionSalt.indexOf(":", 3) + 1)) !== "pulumi") {
      throw new Error("wrong check value");
    }
  } catch {
    return {
      notChecked:
        "the passphrase does not open this stack's secrets (PULUMI_CONFIG_PASSPHRASE is another stack's?)",
    };
  }
  const decrypted: Record<string, string> = {};
  for (const [name, ciphertext] of Object.entries(secrets)) {
    try {
      decrypted[name] = decryptValue(key, ciphertext);
    } catch {
      return { notChecked: `${name}'s encrypted value cannot be decrypted with this stack's key` };
    }
  }
  return { decrypted };
}
