// What `npm run ip-diff` reports for one stack: the LINE IP entries added, removed and changed
// between a base revision and the working tree, the switches a reviewer must notice, and every
// problem the program (and the policy pack) would refuse the new stack file for: the same check as
// `npm run validate` (devkit/stackCheck.ts), so the review and the deploy cannot disagree. Pure:
// the CLI does the git and file reading.

import { checkStackFile } from "../../devkit/stackCheck";
import {
  ALLOW_WIDE_IP_RANGES_KEY,
  configBoolean,
  configOrigin,
  configValue,
  LINE_CONNECTED_KEY,
  type StackConfig,
  type StackFile,
} from "../../devkit/stackFile";
import {
  LINE_IP_ADDRESSES_KEY,
  type LineIpAddress,
  parseLineIpAddresses,
} from "../../model/lineIpAddresses";

/** One side of the comparison: the parsed config, or why the file could not be read. */
export type StackSnapshot = StackFile | { error: string };

/**
 * Pulumi.yaml's values at base and in the working tree (defaults, and the shared `value:`s such
 * as LINE's IP list that every stack without its own inherits).
 */
export interface ProjectValues {
  base: StackConfig;
  head: StackConfig;
}

/** Where a stack's IP list comes from: its own file, or the shared list in Pulumi.yaml. */
export type ListOrigin = "stack" | "project";

export interface ChangedEntry {
  before: LineIpAddress;
  after: LineIpAddress;
}

export interface SwitchChange {
  key: string;
  /** true or false, undefined when unset, or the value as written when it is neither. */
  before: unknown;
  after: unknown;
}

export interface StackIpReview {
  stack: string;
  fileName: string;
  /** `new`: no stack file at base; `deleted`: none in the working tree. */
  status: "new" | "deleted" | "changed" | "unchanged";
  added: LineIpAddress[];
  removed: LineIpAddress[];
  changed: ChangedEntry[];
  /** Entries in the working tree (at base for a deleted stack). */
  entryCount: number;
  switches: SwitchChange[];
  /** Problems with the working tree's stack file; any makes the tool exit non-zero. */
  errors: string[];
  /** Where the list comes from in the working tree (at base for a deleted stack). */
  listFrom?: ListOrigin;
  /** True when the stack follows the shared list at base and in the working tree. */
  followsSharedList: boolean;
}

/** What a change does to the shared list in Pulumi.yaml, and which stacks inherit it. */
export interface SharedListReview {
  added: LineIpAddress[];
  removed: LineIpAddress[];
  changed: ChangedEntry[];
  entryCount: number;
  /** Stacks whose effective list is the shared one (in the working tree). */
  inheritedBy: string[];
  /** Stacks keeping a list of their own, which a shared-list change does not reach. */
  overriddenBy: string[];
}

/** Switches whose flip changes what the stack does to live calls. */
const SWITCHES = [LINE_CONNECTED_KEY, ALLOW_WIDE_IP_RANGES_KEY];

/**
 * What the deploy jobs supply besides the stack file, which ip-diff cannot see: the auth token
 * (the TWILIO_AUTH_TOKEN secret, when the file has no encrypted one) and the AWS region (the
 * credentials step). Stand-ins shaped to pass, so ip-diff judges what the file says, not the
 * machine it runs on; `npm run validate` checks a stack with the real environment.
 */
const DEPLOY_ENVIRONMENT = { TWILIO_AUTH_TOKEN: "0".repeat(32), AWS_REGION: "ap-northeast-1" };

/** The valid entries only: what the diff compares (the problems come from `validateConfig`). */
function entriesOf(config: StackConfig, defaults: StackConfig): LineIpAddress[] {
  return parseLineIpAddresses(configValue(config, LINE_IP_ADDRESSES_KEY, defaults)).entries;
}

/** Entries added, removed, and relabelled (same address, other label), by resource name. */
function compareEntries(before: LineIpAddress[], after: LineIpAddress[]) {
  const beforeByName = new Map(before.map((e) => [e.resourceName, e]));
  const afterByName = new Map(after.map((e) => [e.resourceName, e]));
  const added = after.filter((e) => !beforeByName.has(e.resourceName));
  const removed = before.filter((e) => !afterByName.has(e.resourceName));
  const changed: ChangedEntry[] = [];
  for (const entry of after) {
    const old = beforeByName.get(entry.resourceName);
    if (old && (old.friendlyName !== entry.friendlyName || old.label !== entry.label)) {
      changed.push({ before: old, after: entry });
    }
  }
  return { added, removed, changed };
}

/** Whether Pulumi.yaml holds a shared IP list at base or in the working tree. */
export function hasSharedList(projects: ProjectValues): boolean {
  return LINE_IP_ADDRESSES_KEY in projects.base || LINE_IP_ADDRESSES_KEY in projects.head;
}

/** The shared list's change, and which of the reviewed stacks it reaches. */
export function reviewSharedList(
  projects: ProjectValues,
  stacks: StackIpReview[],
): SharedListReview {
  const before = entriesOf({}, projects.base);
  const after = entriesOf({}, projects.head);
  const present = stacks.filter((s) => s.status !== "deleted");
  return {
    ...compareEntries(before, after),
    entryCount: after.length,
    inheritedBy: present.filter((s) => s.listFrom === "project").map((s) => s.stack),
    overriddenBy: present.filter((s) => s.listFrom === "stack").map((s) => s.stack),
  };
}

/** A switch as the program reads it, or the raw value when the program would refuse it. */
function switchValue(config: StackConfig, key: string, defaults: StackConfig): unknown {
  return configBoolean(config, key, defaults) ?? configValue(config, key, defaults);
}

export function reviewStack(
  stack: string,
  base: StackSnapshot | undefined,
  head: StackSnapshot | undefined,
  projects: ProjectValues = { base: {}, head: {} },
): StackIpReview {
  const fileName = `Pulumi.${stack}.yaml`;
  const errors: string[] = [];
  // Each side with its own Pulumi.yaml: a change to the shared list shows in every stack using it.
  // Only the base's valid entries take part: its own mistakes are not this change's.
  const baseConfig = base && "config" in base ? base.config : undefined;
  const headConfig = head && "config" in head ? head.config : undefined;
  const before = baseConfig ? entriesOf(baseConfig, projects.base) : [];
  let after: LineIpAddress[] = [];
  if (head && "error" in head) {
    errors.push(head.error);
  } else if (head) {
    after = entriesOf(head.config, projects.head);
    errors.push(...checkStackFile(stack, head, projects.head, DEPLOY_ENVIRONMENT).errors);
  }
  const { added, removed, changed } = compareEntries(before, after);
  const originAtBase = baseConfig
    ? configOrigin(baseConfig, LINE_IP_ADDRESSES_KEY, projects.base)
    : undefined;
  const originAtHead = headConfig
    ? configOrigin(headConfig, LINE_IP_ADDRESSES_KEY, projects.head)
    : undefined;
  const switches: SwitchChange[] = [];
  if (baseConfig && headConfig) {
    for (const key of SWITCHES) {
      const was = switchValue(baseConfig, key, projects.base);
      const now = switchValue(headConfig, key, projects.head);
      if (was !== now) switches.push({ key, before: was, after: now });
    }
  }
  const status = !head
    ? "deleted"
    : !base
      ? "new"
      : added.length + removed.length + changed.length + switches.length > 0
        ? "changed"
        : "unchanged";
  return {
    stack,
    fileName,
    status,
    added,
    removed,
    changed,
    entryCount: head ? after.length : before.length,
    switches,
    errors,
    ...((originAtHead ?? originAtBase) ? { listFrom: originAtHead ?? originAtBase } : {}),
    followsSharedList: originAtBase === "project" && originAtHead === "project",
  };
}

const range = (e: LineIpAddress) => `${e.ip}/${e.cidrPrefixLength}`;
const labelled = (e: LineIpAddress) =>
  e.label === undefined ? range(e) : `${range(e)}  "${e.label}"`;
const shownSwitch = (value: unknown) =>
  value === undefined
    ? "unset"
    : typeof value === "boolean"
      ? String(value)
      : JSON.stringify(value);
const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function heading(review: StackIpReview, shared: SharedListReview | undefined): string {
  const where = `${review.stack} (${review.fileName})${shared ? originNote(review, shared) : ""}`;
  const entries = count(review.entryCount, "entry", "entries");
  switch (review.status) {
    case "deleted":
      return `${where}: stack file deleted; it declared ${entries}. Deleting the file does not destroy the stack: run pulumi destroy and pulumi stack rm for that`;
    case "unchanged":
      return `${where}: no IP list changes; ${entries}`;
    default: {
      const parts = [
        `${review.added.length} added`,
        `${review.removed.length} removed`,
        `${review.changed.length} changed`,
      ];
      return `${where}: ${review.status === "new" ? "new stack; " : ""}${parts.join(", ")}; ${entries}`;
    }
  }
}

/** Where the stack's list comes from, said only when Pulumi.yaml has a shared list. */
function originNote(review: StackIpReview, shared: SharedListReview): string {
  if (review.listFrom === "project") return ", shared list";
  const sharedChanged = shared.added.length + shared.removed.length + shared.changed.length > 0;
  return sharedChanged && review.status !== "deleted"
    ? ", own list (the shared list's change does not reach it)"
    : ", own list";
}

function sharedHeading(shared: SharedListReview): string {
  const changes = shared.added.length + shared.removed.length + shared.changed.length;
  const counts = `${shared.added.length} added, ${shared.removed.length} removed, ${shared.changed.length} changed`;
  const reach =
    `inherited by ${count(shared.inheritedBy.length, "stack")}` +
    (shared.inheritedBy.length > 0 ? ` (${shared.inheritedBy.join(", ")})` : "") +
    (shared.overriddenBy.length > 0 ? `; own list in ${shared.overriddenBy.join(", ")}` : "");
  return `Shared list (Pulumi.yaml): ${changes > 0 ? counts : "no IP list changes"}; ${count(shared.entryCount, "entry", "entries")}; ${reach}`;
}

function entryLines(
  changes: { added: LineIpAddress[]; removed: LineIpAddress[]; changed: ChangedEntry[] },
  removal: string,
): string[] {
  const lines: string[] = [];
  for (const e of changes.added) lines.push(`+ ${labelled(e)}  (new resource ${e.resourceName})`);
  for (const e of changes.removed) lines.push(`- ${labelled(e)}  (${removal} ${e.resourceName})`);
  for (const { before, after } of changes.changed) {
    lines.push(
      `~ ${range(after)}  Twilio friendly name "${before.friendlyName}" → "${after.friendlyName}"` +
        "  (updated in place)",
    );
  }
  return lines;
}

/**
 * Plain text whose lines start with `+`, `-`, `~` or `!`, so it reads well in a terminal and
 * in a ```diff block of a pull-request comment.
 */
export function formatReviews(
  reviews: StackIpReview[],
  baseRef: string,
  /** The shared list's review, when Pulumi.yaml has one (at base or in the working tree). */
  shared?: SharedListReview,
): string {
  const lines = [`LINE IP allow-lists: working tree compared with ${baseRef}`];
  if (shared) {
    lines.push("", `# ${sharedHeading(shared)}`, ...entryLines(shared, "deletes"));
  }
  for (const review of reviews) {
    lines.push("", `# ${heading(review, shared)}`);
    // A stack that follows the shared list on both sides changes exactly as the list above.
    if (!review.followsSharedList) {
      lines.push(...entryLines(review, review.status === "deleted" ? "was" : "deletes"));
    }
    for (const s of review.switches) {
      lines.push(`~ ${s.key}: ${shownSwitch(s.before)} → ${shownSwitch(s.after)}`);
    }
    for (const error of review.errors) lines.push(`! ${error}`);
  }
  const invalid = reviews.filter((r) => r.errors.length > 0);
  lines.push(
    "",
    reviews.length === 0
      ? "No Pulumi.<stack>.yaml files here or at the base: run from the Pulumi project directory."
      : invalid.length === 0
        ? `Valid: ${reviews.length === 1 ? "the stack's config" : `all ${reviews.length} stacks' config`}, LINE IP lists included.`
        : `${count(invalid.length, "stack")} invalid (${invalid.map((r) => r.stack).join(", ")}): fix the lines marked ! before merging.`,
  );
  return `${lines.join("\n")}\n`;
}
