// `npm run tenants -- status --html <file>`: one self-contained page showing where every customer
// stands, for the operator and for whoever talks to LINE. Everything is inline (CSS, script, the
// data): the page makes no network request at all, and its Content-Security-Policy forbids one,
// so it can be mailed, attached to an issue or opened from a CI artifact as it is. Every label is
// written in English and Japanese; a toggle switches between them (Japanese first on a Japanese
// browser). Rows sort by any column and filter by stage without a server.
import * as fs from "node:fs";
import * as path from "node:path";

/** Where a customer is on the way to taking LINE calls, in the order they pass through. */
export const CUSTOMER_STAGES = ["created", "waiting-for-line", "connected"] as const;
export type CustomerStage = (typeof CUSTOMER_STAGES)[number];

/**
 * created: the stack exists but nothing is deployed yet; waiting-for-line: the SIP domain is up
 * and LINE has been (or must be) sent its SIP URI, `lineConnected` still false; connected: LINE
 * confirmed and `lineConnected` is true in a deployed stack.
 */
export function customerStage(state: { deployed: boolean; lineConnected: boolean }): CustomerStage {
  if (!state.deployed) return "created";
  return state.lineConnected ? "connected" : "waiting-for-line";
}

export type UpdateResult = "succeeded" | "failed" | "in-progress";

/** One customer stack as `tenants status` reports it. */
export interface CustomerStatusRow {
  /** The customer's stack name. */
  customer: string;
  /** The Twilio subaccount the customer's resources live in (`line-call:subaccountSid`). */
  subaccountSid?: string;
  /** What to give LINE (`sip:<sipDomainName>`), from the stack outputs, else from its config. */
  sipUris: string[];
  stage: CustomerStage;
  /** The stack's last update (pulumi stack history), when there was one. */
  lastUpdate?: { time: string; result: UpdateResult; kind?: string };
  /** From the last drift check; undefined when none was run. */
  drifted?: boolean;
  /** Resources in the stack's state, the stack itself included. */
  resourceCount: number;
  /** Why part of the status could not be read (first line), when that happened. */
  error?: string;
}

/** A text in both languages; the page shows one at a time. */
interface Both {
  en: string;
  ja: string;
}

const STAGE_LABELS: Record<CustomerStage, Both> = {
  created: { en: "Created", ja: "作成済み" },
  "waiting-for-line": { en: "Waiting for LINE", ja: "LINE の接続待ち" },
  connected: { en: "Connected", ja: "接続済み" },
};

const RESULT_LABELS: Record<UpdateResult, Both> = {
  succeeded: { en: "succeeded", ja: "成功" },
  failed: { en: "failed", ja: "失敗" },
  "in-progress": { en: "in progress", ja: "実行中" },
};

/** The columns, in order; `key` names the value rows are sorted by. */
const COLUMNS: Array<{ key: string; label: Both }> = [
  { key: "customer", label: { en: "Customer", ja: "顧客" } },
  { key: "subaccount", label: { en: "Subaccount", ja: "サブアカウント" } },
  { key: "sip", label: { en: "SIP URI for LINE", ja: "LINE に伝える SIP URI" } },
  { key: "stage", label: { en: "Stage", ja: "段階" } },
  { key: "updated", label: { en: "Last update", ja: "最終更新" } },
  { key: "drift", label: { en: "Drift", ja: "ドリフト" } },
  { key: "resources", label: { en: "Resources", ja: "リソース数" } },
];

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );

/** Both languages, marked so the stylesheet shows the chosen one. */
const both = ({ en, ja }: Both) =>
  `<span class="t-en" lang="en">${escapeHtml(en)}</span><span class="t-ja" lang="ja">${escapeHtml(ja)}</span>`;

/** "2026-12-05 06:54 UTC" and "2026-12-05 15:54 JST": the operator's and the customer's clocks. */
function shownTime(iso: string): Both | undefined {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return undefined;
  const minutes = (date: Date) => date.toISOString().slice(0, 16).replace("T", " ");
  const jst = new Date(time.getTime() + 9 * 3600_000);
  return { en: `${minutes(time)} UTC`, ja: `${minutes(jst)} JST` };
}

function cell(key: string, sortValue: string | number, html: string): string {
  return `<td data-col="${key}" data-sort="${escapeHtml(String(sortValue))}">${html}</td>`;
}

function rowHtml(row: CustomerStatusRow): string {
  const time = row.lastUpdate ? shownTime(row.lastUpdate.time) : undefined;
  const updated = row.lastUpdate
    ? `${time ? both(time) : escapeHtml(row.lastUpdate.time)} <span class="result result-${row.lastUpdate.result}">${both(RESULT_LABELS[row.lastUpdate.result])}</span>${row.lastUpdate.kind ? ` <span class="kind">${escapeHtml(row.lastUpdate.kind)}</span>` : ""}`
    : both({ en: "never", ja: "未実行" });
  const drift =
    row.drifted === undefined
      ? `<span class="drift-unknown">${both({ en: "not checked", ja: "未確認" })}</span>`
      : row.drifted
        ? `<span class="drift-yes">${both({ en: "drifted", ja: "あり" })}</span>`
        : `<span class="drift-no">${both({ en: "none", ja: "なし" })}</span>`;
  const error = row.error ? `<div class="error">${escapeHtml(row.error.split("\n")[0])}</div>` : "";
  const sip =
    row.sipUris.length > 0
      ? row.sipUris.map((uri) => `<code>${escapeHtml(uri)}</code>`).join("<br>")
      : "—";
  return [
    `<tr data-stage="${row.stage}" data-customer="${escapeHtml(row.customer)}">`,
    cell("customer", row.customer, `<strong>${escapeHtml(row.customer)}</strong>${error}`),
    cell(
      "subaccount",
      row.subaccountSid ?? "",
      row.subaccountSid ? `<code>${escapeHtml(row.subaccountSid)}</code>` : "—",
    ),
    cell("sip", row.sipUris.join(" "), sip),
    cell(
      "stage",
      CUSTOMER_STAGES.indexOf(row.stage),
      `<span class="stage stage-${row.stage}">${both(STAGE_LABELS[row.stage])}</span>`,
    ),
    cell("updated", row.lastUpdate?.time ?? "", updated),
    cell("drift", row.drifted === undefined ? 1 : row.drifted ? 2 : 0, drift),
    cell("resources", row.resourceCount, String(row.resourceCount)),
    "</tr>",
  ].join("");
}

const STYLE = `
:root { color-scheme: light; font-family: system-ui, "Hiragino Sans", "Noto Sans CJK JP", sans-serif; }
body { margin: 1.5rem; color: #1b1f24; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
.meta { color: #57606a; margin: 0 0 1rem; }
.controls { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; margin-bottom: .75rem; }
.counts span.count { margin-right: .75rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #d0d7de; padding: .4rem .6rem; text-align: left; vertical-align: top; }
th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; }
th[aria-sort=ascending] button::after { content: " ▲"; }
th[aria-sort=descending] button::after { content: " ▼"; }
th, td[data-col=drift], td[data-col=resources] { white-space: nowrap; }
td[data-col=resources] { text-align: right; }
code { font-size: .9em; white-space: nowrap; }
.stage { padding: .1rem .45rem; border-radius: .6rem; white-space: nowrap; }
.stage-created { background: #eaeef2; }
.stage-waiting-for-line { background: #fff8c5; }
.stage-connected { background: #dafbe1; }
.result-failed, .drift-yes, .error { color: #cf222e; font-weight: 600; }
.result-in-progress { color: #9a6700; }
.kind, .drift-unknown { color: #57606a; }
.error { font-weight: normal; font-size: .85em; }
html[data-lang=en] .t-ja, html[data-lang=ja] .t-en { display: none; }
tr[hidden] { display: none; }
`;

/** Sorting, the stage filter and the language toggle; reads only the table it is in. */
const SCRIPT = `
(() => {
  const root = document.documentElement;
  const setLang = (lang) => {
    root.dataset.lang = lang;
    root.lang = lang;
    document.getElementById("lang").textContent = lang === "ja" ? "English" : "日本語";
  };
  setLang((navigator.language || "").toLowerCase().startsWith("ja") ? "ja" : "en");
  document.getElementById("lang").addEventListener("click", () =>
    setLang(root.dataset.lang === "ja" ? "en" : "ja"));

  const body = document.querySelector("tbody");
  const rows = () => Array.from(body.querySelectorAll("tr[data-stage]"));
  const filter = document.getElementById("stage-filter");
  const shown = document.getElementById("shown");
  const applyFilter = () => {
    let visible = 0;
    for (const row of rows()) {
      row.hidden = filter.value !== "all" && row.dataset.stage !== filter.value;
      if (!row.hidden) visible += 1;
    }
    shown.textContent = String(visible);
    document.getElementById("no-match").hidden = visible > 0;
  };
  filter.addEventListener("change", applyFilter);

  const value = (row, key) => {
    const text = row.querySelector('td[data-col="' + key + '"]').dataset.sort;
    return text !== "" && !Number.isNaN(Number(text)) ? Number(text) : text;
  };
  for (const th of document.querySelectorAll("th[data-key]")) {
    th.querySelector("button").addEventListener("click", () => {
      const key = th.dataset.key;
      const direction = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
      for (const other of document.querySelectorAll("th[data-key]")) other.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", direction);
      const sign = direction === "ascending" ? 1 : -1;
      const sorted = rows().sort((a, b) => {
        const x = value(a, key), y = value(b, key);
        const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
        return sign * order || a.dataset.customer.localeCompare(b.dataset.customer);
      });
      for (const row of sorted) body.appendChild(row);
    });
  }
  applyFilter();
})();
`;

export interface StatusPageOptions {
  /** When the status was read; shown on the page. */
  generatedAt: Date;
  /** Where the states live (the backend URL without credentials), shown on the page. */
  backend?: string;
}

/** The page, as one HTML document with everything inline. */
export function renderStatusPage(rows: CustomerStatusRow[], options: StatusPageOptions): string {
  const sorted = [...rows].sort((a, b) => a.customer.localeCompare(b.customer));
  const counts = CUSTOMER_STAGES.map(
    (stage) =>
      `<span class="count" data-count="${stage}">${both(STAGE_LABELS[stage])}: ${sorted.filter((r) => r.stage === stage).length}</span>`,
  ).join("");
  const drifted = sorted.filter((r) => r.drifted).length;
  const failed = sorted.filter((r) => r.lastUpdate?.result === "failed").length;
  const generated = shownTime(options.generatedAt.toISOString()) as Both;
  const backend = options.backend
    ? ` · ${both({ en: "backend", ja: "バックエンド" })} <code>${escapeHtml(options.backend)}</code>`
    : "";
  const stageOptions = [
    `<option value="all">${escapeHtml("All stages / すべて")}</option>`,
    ...CUSTOMER_STAGES.map(
      (s) =>
        `<option value="${s}">${escapeHtml(`${STAGE_LABELS[s].en} / ${STAGE_LABELS[s].ja}`)}</option>`,
    ),
  ].join("");
  const header = COLUMNS.map(
    ({ key, label }) =>
      `<th data-key="${key}" scope="col"><button type="button">${both(label)}</button></th>`,
  ).join("");
  return `<!doctype html>
<html lang="en" data-lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>line-call customers / 顧客の状況</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${both({ en: "line-call customers", ja: "line-call 顧客の状況" })}</h1>
<p class="meta">${both({ en: "Status as of", ja: "取得日時" })} ${both(generated)}${backend} · ${both({ en: "customers", ja: "顧客数" })}: <span id="total">${sorted.length}</span> · ${both({ en: "drifted", ja: "ドリフトあり" })}: <span id="drifted">${drifted}</span> · ${both({ en: "last update failed", ja: "最終更新が失敗" })}: <span id="failed">${failed}</span></p>
<div class="controls">
<label>${both({ en: "Stage", ja: "段階" })} <select id="stage-filter">${stageOptions}</select></label>
<span>${both({ en: "shown", ja: "表示中" })}: <span id="shown">${sorted.length}</span></span>
<span class="counts">${counts}</span>
<button type="button" id="lang">日本語</button>
</div>
<table>
<thead><tr>${header}</tr></thead>
<tbody>
${sorted.map(rowHtml).join("\n")}
<tr id="no-match"${sorted.length > 0 ? " hidden" : ""}><td colspan="${COLUMNS.length}">${both({ en: "No customer in this stage.", ja: "この段階の顧客はいません。" })}</td></tr>
</tbody>
</table>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** Writes the page (creating its folder); returns the absolute path. */
export function writeStatusPage(
  file: string,
  rows: CustomerStatusRow[],
  options: StatusPageOptions,
): string {
  const target = path.resolve(file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, renderStatusPage(rows, options));
  return target;
}
