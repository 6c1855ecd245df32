/**
 * The webhook's routes, relative to its base URL. A module of its own so the Pulumi program can
 * wire the SIP domain's URLs (voiceUrl, voiceFallbackUrl, voiceStatusCallbackUrl) from the same
 * names without loading the handler and its TwiML builder.
 */
export const ROUTES = {
  /** The SIP domain's Request URL (voiceUrl). */
  voice: "/voice",
  /** `<Dial action>`: where Twilio reports how the forwarded leg ended. */
  afterDial: "/voice/after-dial",
  /** The SIP domain's fallback URL (voiceFallbackUrl). */
  fallback: "/fallback",
  /** The SIP domain's status callback URL (voiceStatusCallbackUrl). */
  status: "/status",
} as const;

export type RoutePath = (typeof ROUTES)[keyof typeof ROUTES];
