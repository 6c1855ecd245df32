// Where LINE calls ring and what the caller hears: judged by the call-settings contract
// (model/callSettings.ts) that the webhook applies to the same values, so what `pulumi up` accepts
// the webhook accepts too — and, when this stack hosts the webhook on Lambda, checked to fit the
// function's environment, which AWS would otherwise refuse mid-`up`.
import { functionEnvironmentProblem, type NotifyEnvironment } from "../../lambda/contract";
import {
  type CallSettings,
  callSettingsEnvironment,
  parseCallSettings,
} from "../../model/callSettings";
import { connectionNames } from "../naming";
import type { ConfigReader } from "./reader";

/**
 * @param notify where the function sends missed calls, for the size of its environment
 *   (NotifyEnvironment with values as long as the deployed ones will be)
 */
export function readCall(
  r: ConfigReader,
  hostsWebhook: boolean,
  notify: NotifyEnvironment = {},
): CallSettings | undefined {
  const label = (name: Parameters<ConfigReader["key"]>[0]) => r.key(name);
  const { settings, problems } = parseCallSettings({ raw: (name) => r.raw(name), label });
  for (const problem of problems) r.problem(problem);
  if (settings && hostsWebhook) {
    const problem = functionEnvironmentProblem(
      callSettingsEnvironment(settings),
      connectionNames({ stack: r.source.stack }).authTokenParameter,
      label,
      notify,
    );
    if (problem) r.problem(problem);
  }
  return settings;
}
