// Edits a stack file's text as a person or `pulumi config set` would: one key of its `config:`
// block set or removed, everything else (comments, order, the `encryptionsalt:` Pulumi writes
// last) kept. Tests build their variants of the committed files with it rather than by
// appending lines, which lands outside `config:` once Pulumi has written the file.
import { parseDocument } from "yaml";

export function withConfigKey(text: string, key: string, value: unknown): string {
  const document = parseDocument(text);
  if (value === undefined) document.deleteIn(["config", key]);
  else document.setIn(["config", key], value);
  return document.toString();
}
