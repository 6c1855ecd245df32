// Constants of the Pulumi engine's wire protocol that our code has to recognise.

/**
 * The value the engine sends, in place of an input, for an output not yet known during a preview
 * (e.g. an ID of a resource still to be created). Dynamic providers must let it through `check`
 * and `diff`; the engine imitations in devkit/engine/ send it the same way.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}
