// The webhook's public URLs, whoever hosts it (this stack's API Gateway or your own TwiML app).
import * as pulumi from "@pulumi/pulumi";
import { ROUTES } from "../lambda/contract";
import type { WebhookUrls } from "./lineSipConnection";

/** The domain's URLs under a base such as https://abc.execute-api.ap-northeast-1.amazonaws.com. */
export function webhookUrls(baseUrl: pulumi.Input<string>): WebhookUrls {
  const base = pulumi.output(baseUrl).apply((url) => url.replace(/\/+$/, ""));
  return {
    voiceUrl: pulumi.interpolate`${base}${ROUTES.voice}`,
    fallbackUrl: pulumi.interpolate`${base}${ROUTES.fallback}`,
    statusCallbackUrl: pulumi.interpolate`${base}${ROUTES.status}`,
  };
}
