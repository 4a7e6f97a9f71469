/** Evidence: the files attached to a roadmap's reports — listed on the partnership page with
their previews and downloads, and attached once the report they prove is applied.

The files are only handed out with the bearer token, so previews and downloads are fetched
here and shown through object URLs; the registry decides who may open them.
*/
import { ApiError, fetchBlob, saveBlob, upload } from "../api";
import { currentClaims, mayReadFiles } from "../auth";
import { h } from "../dom";
import { formatDateTime, formatSize, localized, localizedLanguage, t } from "../i18n";
import type { EvidenceAccepted, Names, Partnership, RoadmapEvidence, Submission } from "../model";
import { errorMessage } from "./common";
import { sentence, type Title } from "./history";
import { follow } from "./submission";

/** The registry's limit; the page checks it first to spare a long upload, the registry again. */
export const EVIDENCE_MAX_BYTES = 10 * 1024 * 1024;

interface FileType {
  extensions: string[];
  /** How the list names it: a short format and a sentence in the reader's language. */
  short: string;
  describe: () => string;
}

/** The types the registry takes (it finds the type from the content), by media type. */
const FILE_TYPES: Record<string, FileType> = {
  "application/pdf": { extensions: [".pdf"], short: "PDF", describe: () => t("filetype.pdf") },
  "image/png": { extensions: [".png"], short: "PNG", describe: () => t("filetype.image", { format: "PNG" }) },
  "image/jpeg": { extensions: [".jpg", ".jpeg"], short: "JPEG", describe: () => t("filetype.image", { format: "JPEG" }) },
  "image/webp": { extensions: [".webp"], short: "WebP", describe: () => t("filetype.image", { format: "WebP" }) },
  "image/gif": { extensions: [".gif"], short: "GIF", describe: () => t("filetype.image", { format: "GIF" }) },
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": { extensions: [".docx"], short: "DOCX", describe: () => t("filetype.word") },
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { extensions: [".xlsx"], short: "XLSX", describe: () => t("filetype.excel") },
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": { extensions: [".pptx"], short: "PPTX", describe: () => t("filetype.powerpoint") },
  "application/vnd.oasis.opendocument.text": { extensions: [".odt"], short: "ODT", describe: () => t("filetype.odt") },
  "application/vnd.oasis.opendocument.spreadsheet": { extensions: [".ods"], short: "ODS", describe: () => t("filetype.ods") },
  "application/vnd.oasis.opendocument.presentation": { extensions: [".odp"], short: "ODP", describe: () => t("filetype.odp") },
};

/** The file input's ``accept``: extensions for the file chooser, media types for the rest. */
export const EVIDENCE_ACCEPT = Object.entries(FILE_TYPES)
  .flatMap(([mediaType, type]) => [...type.extensions, mediaType])
  .join(",");

/** Why ``file`` cannot be attached, checked before anything is sent; null when it may be. */
export function evidenceProblem(file: File): string | null {
  if (file.size === 0) return t("invalid.fileEmpty");
  if (file.size > EVIDENCE_MAX_BYTES) {
    return t("invalid.fileTooLarge", { size: formatSize(file.size), limit: formatSize(EVIDENCE_MAX_BYTES) });
  }
  const name = file.name.toLowerCase();
  const known = file.type in FILE_TYPES || Object.values(FILE_TYPES).some((type) => type.extensions.some((e) => name.endsWith(e)));
  return known ? null : t("invalid.fileType");
}

/** Attach ``file`` to the applied report ``reportSubmissionId`` and follow the attachment's
own submission in ``panel``. A refusal (403, 409, 413, 415, 422) is thrown as an ApiError. */
export async function attachEvidence(panel: HTMLElement, reportSubmissionId: string, file: File): Promise<Submission["status"]> {
  const accepted = await upload<EvidenceAccepted>(
    "registry",
    `/v1/submissions/${encodeURIComponent(reportSubmissionId)}/evidence`,
    "file",
    file,
    crypto.randomUUID(),
  );
  return follow(panel, accepted.submission_id, {
    title: t("evidence.submission"),
    applied: t("evidence.applied", { name: accepted.evidence.name }),
  });
}

/** The registry's refusal of a file, in words: the two a person can act on said in theirs
 *  alone (the registry's own words are English, for developers). */
export function evidenceRefusal(error: unknown): string {
  if (error instanceof ApiError && (error.status === 413 || error.status === 415)) {
    return error.status === 413 ? t("evidence.tooLarge", { limit: formatSize(EVIDENCE_MAX_BYTES) }) : t("evidence.typeRefused");
  }
  return errorMessage(error);
}

export interface EvidenceContext {
  partnership: Partnership;
  /** Today's titles by id, for evidence whose own title came empty. */
  milestones: Map<string, Names>;
  indicators: Map<string, Names>;
  /** The evidence a deep link points at: highlighted and focused once the page is shown. */
  highlight?: string;
}

export function evidenceSection(items: RoadmapEvidence[], context: EvidenceContext): HTMLElement {
  const section = h(
    "section",
    { class: "panel", id: "evidence", "aria-labelledby": "evidence-title" },
    h("h2", { id: "evidence-title" }, t("evidence.title")),
    h("p", { class: "muted" }, t("evidence.intro")),
  );
  const partners = [context.partnership.moroccan_municipality_id, context.partnership.belgian_municipality_id];
  const readable = mayReadFiles(currentClaims(), partners);
  if (context.highlight && !items.some((item) => item.evidence_id === context.highlight)) {
    section.append(
      h("p", { class: "notice", tabindex: -1, "data-deep-link": true }, t("evidence.notFound", { id: context.highlight })),
    );
  }
  if (items.length === 0) {
    section.append(h("p", { class: "muted" }, t("evidence.none")));
    return section;
  }
  if (!readable) section.append(h("p", { class: "notice" }, t("evidence.filesForPartners")));
  const newestFirst = items.slice().sort((a, b) => b.attached_at.localeCompare(a.attached_at));
  section.append(h("ul", { class: "evidence-list" }, newestFirst.map((item) => evidenceItem(item, context, readable))));
  return section;
}

function evidenceItem(item: RoadmapEvidence, context: EvidenceContext, readable: boolean): HTMLElement {
  const id = `evidence-${item.evidence_id}`;
  const type = FILE_TYPES[item.media_type];
  const status = h("p", { class: "evidence-status", role: "status" });
  const button = h(
    "button",
    { type: "button", class: "evidence-download secondary", "aria-describedby": `${id}-name` },
    t("evidence.download"),
  );
  button.addEventListener("click", () => {
    button.disabled = true;
    status.classList.remove("error");
    status.textContent = t("evidence.downloading");
    fetchBlob("registry", item.links.download)
      .then((blob) => {
        saveBlob(blob, item.name);
        status.textContent = "";
      })
      .catch((error: unknown) => {
        status.classList.add("error");
        status.textContent = t("evidence.downloadFailed", { reason: errorMessage(error) });
      })
      .finally(() => {
        button.disabled = false;
      });
  });
  const highlighted = context.highlight === item.evidence_id;
  return h(
    "li",
    {
      id,
      class: `evidence-item${highlighted ? " highlight" : ""}`,
      tabindex: -1,
      "aria-labelledby": `${id}-name`,
      "aria-current": highlighted ? "true" : null,
      "data-deep-link": highlighted,
      "data-sha256": item.sha256,
    },
    preview(item, readable, type?.short ?? item.name.split(".").pop()?.toUpperCase() ?? ""),
    h(
      "div",
      { class: "evidence-body" },
      h("h3", { id: `${id}-name`, class: "evidence-name" }, h("bdi", {}, item.name)),
      h("p", { class: "muted" }, h("span", { class: "evidence-size" }, formatSize(item.size)), " · ", h("span", { class: "evidence-type" }, type?.describe() ?? item.media_type)),
      h("p", { class: "evidence-subject" }, subjectOf(item, context)),
      h("p", { class: "muted evidence-attached" }, attachedLine(item, context.partnership)),
      h(
        "p",
        { class: "muted evidence-digest" },
        t("evidence.sha256"),
        " ",
        h("code", { title: item.sha256, dir: "ltr" }, `${item.sha256.slice(0, 12)}…`),
      ),
      status,
    ),
    h("div", { class: "evidence-actions" }, button),
  );
}

/** The image's preview, fetched with the token; for other files (or while it loads) their format. */
function preview(item: RoadmapEvidence, readable: boolean, format: string): HTMLElement {
  const frame = h("div", { class: "evidence-thumb" }, h("span", { class: "evidence-format", "aria-hidden": "true" }, format));
  const link = item.links.thumbnail;
  if (!item.thumbnail || !link || !readable) return frame;
  fetchBlob("registry", link)
    .then((blob) => {
      const url = URL.createObjectURL(blob);
      const image = h("img", { src: url, alt: item.name, class: "evidence-thumbnail" });
      image.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
      image.addEventListener("error", () => URL.revokeObjectURL(url), { once: true });
      frame.replaceChildren(image);
    })
    .catch(() => {
      /* no preview: the format stays in its place, and the download says why if it fails too */
    });
  return frame;
}

function subjectOf(item: RoadmapEvidence, context: EvidenceContext): (string | HTMLElement)[] {
  const title = (known: Map<string, Names>, id: string | null): Title => {
    const names = Object.keys(item.title ?? {}).length ? item.title : id ? known.get(id) : undefined;
    if (names) return { text: localized(names), lang: localizedLanguage(names) };
    return { text: id ?? "—", lang: null };
  };
  switch (item.subject) {
    case "progress":
      return sentence("evidence.of.progress", title(context.milestones, item.milestone_id));
    case "indicator_value":
      return sentence("evidence.of.indicator_value", title(context.indicators, item.indicator_id), { period: item.period_id ?? "—" });
    case "evaluation":
      return sentence("evidence.of.evaluation", null, { phase: item.phase ?? "—" });
  }
}

/** When, and by whom: a member of the partnership by name, anyone else as the registry knows
them — isolated in a <bdi>, so a Latin address keeps its direction in an Arabic sentence. */
function attachedLine(item: RoadmapEvidence, partnership: Partnership): (string | HTMLElement)[] {
  const date = formatDateTime(item.attached_at);
  if (!item.attached_by) return [t("evidence.attachedUnknown", { date })];
  const member = (partnership.members ?? []).find((m) => m.email === item.attached_by || m.id === item.attached_by);
  const marker = "\u0000";
  const [before = "", after = ""] = t("evidence.attached", { date, who: marker }).split(marker);
  return [before, h("bdi", {}, member?.name ?? item.attached_by), after];
}
