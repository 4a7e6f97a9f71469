/** A partnership's history of changes, each one told as a sentence in the reader's language. */
import { h } from "../dom";
import { formatDate, formatDateTime, formatPercent, localized, localizedLanguage, t, type MessageKey } from "../i18n";
import type { HistoryEntry, Names } from "../model";

/** What the page knows by id, so a sentence names a milestone by today's title, not its id. */
export interface KnownTitles {
  milestones: Map<string, Names>;
  indicators: Map<string, Names>;
  objectives: Map<string, Names>;
}

/** ``registry.milestone.proposed.v1`` → ``milestone.proposed``. */
export function eventKind(type: string): string {
  return type.replace(/^registry\./, "").replace(/\.v\d+$/, "");
}

function text(value: unknown): string | null {
  return typeof value === "string" && value ? value : null;
}

function names(value: unknown): Names | null {
  if (!value || typeof value !== "object" || Array.isArray(value)) return null;
  const entries = Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string" && entry[1] !== "");
  return entries.length ? Object.fromEntries(entries) : null;
}

export interface Title {
  text: string;
  lang: string | null;
}

/** The subject's title: as the roadmap shows it now, else as the request gave it, else its id. */
function title(known: Map<string, Names>, change: Record<string, unknown>, idKey: string): Title {
  const id = text(change[idKey]);
  const chosen = (id ? known.get(id) : undefined) ?? names(change["title"]);
  if (chosen) return { text: localized(chosen), lang: localizedLanguage(chosen) };
  return { text: id ?? "—", lang: null };
}

/** A sentence with the title isolated in a <bdi>: a French title inside an Arabic sentence
keeps its own direction and does not drag the quotation marks along. */
export function sentence(key: MessageKey, subject: Title | null, values: Record<string, string> = {}): (string | HTMLElement)[] {
  if (!subject) return [t(key, values)];
  const marker = "\u0000";
  const [before = "", after = ""] = t(key, { ...values, title: marker }).split(marker);
  return [before, h("bdi", subject.lang ? { lang: subject.lang } : {}, subject.text), after];
}

function statusName(value: unknown): string {
  return value === "active" || value === "suspended" || value === "closed" ? t(`status.${value}`) : (text(value) ?? "—");
}

export function describe(entry: HistoryEntry, known: KnownTitles): (string | HTMLElement)[] {
  const kind = eventKind(entry.what);
  const change = entry.change ?? {};
  const milestone = () => title(known.milestones, change, "milestone_id");
  const date = (key: string) => {
    const value = text(change[key]);
    return value ? formatDate(value) : "—";
  };
  switch (kind) {
    case "partnership.created":
    case "partnership.updated":
    case "roadmap.import_requested":
      return sentence(`event.${kind}`, null);
    case "partnership.status_changed":
      return sentence("event.partnership.status_changed", null, { status: statusName(change["status"]) });
    case "objective.proposed":
      return sentence("event.objective.proposed", title(known.objectives, change, "objective_id"));
    case "milestone.proposed":
      return sentence("event.milestone.proposed", milestone(), { date: date("due_date") });
    case "milestone.revised":
    case "milestone.cancellation_requested":
      return sentence(`event.${kind}`, milestone());
    case "milestone.reschedule_requested":
      return sentence("event.milestone.reschedule_requested", milestone(), { date: date("due_date") });
    case "progress.reported": {
      const progress = change["progress"];
      return sentence("event.progress.reported", milestone(), { progress: typeof progress === "number" ? formatPercent(progress) : "—" });
    }
    case "indicator.proposed":
      return sentence("event.indicator.proposed", title(known.indicators, change, "indicator_id"));
    case "indicator_value.reported":
      return sentence("event.indicator_value.reported", title(known.indicators, change, "indicator_id"), { period: text(change["period_id"]) ?? "—" });
    case "evaluation.submitted":
      return sentence("event.evaluation.submitted", null, { phase: text(change["phase"]) ?? "—" });
    case "evidence.attach_requested": {
      const evidence = change["evidence"];
      const name = evidence && typeof evidence === "object" ? text((evidence as Record<string, unknown>)["name"]) : null;
      return sentence("event.evidence.attach_requested", { text: name ?? "—", lang: null });
    }
    default:
      // A kind this page does not know yet (a newer registry): say so, with its name.
      return sentence("event.other", null, { type: kind || entry.what || "—" });
  }
}

function outcome(entry: HistoryEntry): string {
  if (!entry.status) return "—";
  const key: MessageKey = entry.status === "applied" ? "submission.applied" : entry.status === "rejected" ? "submission.rejected" : "submission.received";
  return t(key, { reason: entry.reason ?? "" });
}

export function historySection(entries: HistoryEntry[], known: KnownTitles): HTMLElement {
  const section = h("section", { class: "panel", "aria-labelledby": "history-title" }, h("h2", { id: "history-title" }, t("partnership.history")));
  if (entries.length === 0) {
    section.append(h("p", { class: "muted" }, t("partnership.noHistory")));
    return section;
  }
  section.append(
    h(
      "div",
      { class: "table-scroll", tabindex: 0, role: "region", "aria-labelledby": "history-title" },
      h(
        "table",
        { class: "history" },
        h("thead", {}, h("tr", {}, ...(["history.when", "history.what", "history.who", "history.outcome"] as const).map((k) => h("th", { scope: "col" }, t(k))))),
        h(
          "tbody",
          {},
          entries.map((entry) =>
            h(
              "tr",
              { "data-kind": eventKind(entry.what) },
              h("td", {}, h("time", { datetime: entry.at }, formatDateTime(entry.at))),
              h("td", { class: "history-what" }, ...describe(entry, known)),
              h("td", {}, entry.who?.id ?? "—"),
              h("td", {}, outcome(entry)),
            ),
          ),
        ),
      ),
    ),
  );
  return section;
}
