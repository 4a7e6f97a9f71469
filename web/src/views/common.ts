/** Pieces several pages share: municipality names, loading and error states, exports. */
import { ApiError, download, get, type Service } from "../api";
import { inPhase } from "../phase";
import { config } from "../config";
import { h } from "../dom";
import { LANGUAGE_NAMES, localized, localizedLanguage, t, type Language } from "../i18n";
import type { Municipality, Page, Partnership } from "../model";

export type Directory = Map<string, Municipality>;

export async function municipalities(): Promise<Directory> {
  const page = await get<Page<Municipality>>("registry", "/v1/municipalities?limit=200");
  return new Map(page.items.map((m) => [m.id, m]));
}

export function municipalityName(directory: Directory, id: string): string {
  return localized(directory.get(id)?.names) || id;
}

/** "Berkane – Saint-Gilles" in the reader's language, from the two municipalities' names. */
export function partnershipName(directory: Directory, partnership: Partnership): HTMLElement {
  const moroccan = directory.get(partnership.moroccan_municipality_id);
  const belgian = directory.get(partnership.belgian_municipality_id);
  if (!moroccan || !belgian) {
    return h("span", { lang: localizedLanguage(partnership.name) }, localized(partnership.name));
  }
  return h(
    "span",
    {},
    h("bdi", { lang: localizedLanguage(moroccan.names) }, localized(moroccan.names)),
    " – ",
    h("bdi", { lang: localizedLanguage(belgian.names) }, localized(belgian.names)),
  );
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t("error.network", { url: error.message });
    if (error.status === 403) return `${t("error.forbidden")} (${error.message})`;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export function failure(error: unknown, retry: () => void): HTMLElement {
  return h(
    "div",
    { class: "notice error", role: "alert" },
    h("p", {}, t("error.load", { reason: errorMessage(error) })),
    h("button", { type: "button", onclick: retry }, t("retry")),
  );
}

/** The funder's report is written in each of the programme's languages, named in its own. */
const REPORT_LANGUAGES: Language[] = ["fr", "nl", "ar", "en"];

export function exportsSection(partnershipId?: string): HTMLElement {
  const status = h("p", { class: "muted", role: "status" });
  const query = partnershipId ? `?partnership_id=${encodeURIComponent(partnershipId)}` : "";
  const suffix = partnershipId ? `-${partnershipId}` : "";
  const reportPath = partnershipId
    ? `/v1/reports/partnerships/${encodeURIComponent(partnershipId)}`
    : "/v1/reports/programme";
  const item = (label: string, service: Service, path: string, filename: string, lang?: string) =>
    h(
      "li",
      {},
      h(
        "button",
        {
          type: "button",
          class: "link-button",
          lang,
          onclick: () => {
            status.textContent = "";
            download(service, path, filename).catch((error: unknown) => {
              status.textContent = t("exports.failed", { reason: errorMessage(error) });
            });
          },
        },
        label,
      ),
    );
  return h(
    "section",
    { class: "panel", "aria-labelledby": "exports-title" },
    h("h2", { id: "exports-title" }, t("exports.title")),
    h(
      "ul",
      { class: "inline-list" },
      item(t("exports.milestones"), "roadmaps", `/v1/exports/milestones.csv${query}`, `milestones${suffix}.csv`),
      item(t("exports.indicators"), "roadmaps", `/v1/exports/indicators.csv${query}`, `indicators${suffix}.csv`),
      partnershipId ? null : item(t("exports.iati"), "roadmaps", inPhase("/v1/exports/iati-activities.xml"), "iati-activities.xml"),
    ),
    h("h3", { id: "report-title" }, t("exports.report")),
    h(
      "ul",
      { class: "inline-list", "aria-labelledby": "report-title" },
      ...REPORT_LANGUAGES.map((language) =>
        item(LANGUAGE_NAMES[language], "roadmaps", inPhase(`${reportPath}?language=${language}`), `report${suffix || "-programme"}-${language}.pdf`, language),
      ),
    ),
    status,
  );
}

export function mailInboxLink(): HTMLElement | null {
  const mail = config().mail;
  return mail ? h("a", { href: `${mail}/` }, mail) : null;
}
