// The Pulumi project's name (Pulumi.yaml `name:`): the namespace of every `line-call:` config key
// and the prefix of the names the stack gives its cloud resources.
export const PROJECT = "line-call";

/** The full config key of a project setting, e.g. `line-call:lineConnected`. */
export function projectKey(name: string): string {
  return `${PROJECT}:${name}`;
}
