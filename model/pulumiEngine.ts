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

/** In a serialized property value, the key that marks an object as a special value... */
export const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";
/** ...and the signature that makes it a secret: `{[SPECIAL_SIG_KEY]: SECRET_SIG, value}`. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
