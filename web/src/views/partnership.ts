/** One partnership: members, roadmap (objectives → milestones), timeline, indicators,
evidence, history, and — for its officers and the coordinators — the forms that publish
updates. */
import { currentClaims, mayEdit } from "../auth";
import { inPhase } from "../phase";
import { ApiError, get } from "../api";
import { bar, h, uid } from "../dom";
import { formatDate, formatNumber, formatPercent, groupAndSex, localized, localizedLanguage, t, type MessageKey } from "../i18n";
import type { DimensionValue, HistoryEntry, Indicator, Milestone, Page, Partnership, Roadmap } from "../model";
import { exportsSection, failure, municipalities, municipalityName, partnershipName, type Directory } from "./common";
import { evidenceSection } from "./evidence";
import { indicatorForm, milestoneForm, progressForm, type FormContext } from "./forms";
import { historySection } from "./history";

/** ``evidenceId``: a deep link's file, highlighted in the evidence section (main.ts focuses it). */
export async function partnershipPage(partnershipId: string, evidenceId?: string): Promise<HTMLElement> {
  const id = encodeURIComponent(partnershipId);
  const [directory, partnership] = await Promise.all([
    municipalities(),
    get<Partnership>("registry", `/v1/partnerships/${id}`),
  ]);
  const partners = [partnership.moroccan_municipality_id, partnership.belgian_municipality_id];
  const editable = mayEdit(currentClaims(), partners);
  const details = h("div", { class: "details" });
  let context: FormContext | null = null;

  const load = async () => {
    try {
      const [roadmap, history] = await Promise.all([
        get<Roadmap>("roadmaps", inPhase(`/v1/partnerships/${id}/roadmap`)).catch((error: unknown) => {
          if (error instanceof ApiError && error.status === 404) return null;
          throw error;
        }),
        latestHistory(id),
      ]);
      const objectives = roadmap?.objectives ?? [];
      const milestones = [...objectives.flatMap((o) => o.milestones), ...(roadmap?.milestones_without_objective ?? [])];
      const indicators = [...objectives.flatMap((o) => o.indicators), ...(roadmap?.indicators_without_objective ?? [])];
      context = { partnership, directory, milestones, objectives, indicators, refresh: () => void load() };
      const known = {
        milestones: new Map(milestones.map((m) => [m.id, m.title])),
        indicators: new Map(indicators.map((i) => [i.indicator_id, i.title])),
        objectives: new Map(objectives.map((o) => [o.objective_id, o.title])),
      };
      details.replaceChildren(
        roadmapSection(roadmap, directory),
        timelineSection(milestones),
        indicatorsSection(indicators),
        evidenceSection(roadmap?.evidence ?? [], { partnership, ...known, highlight: evidenceId }),
        historySection(history.slice().reverse(), known),
      );
    } catch (error) {
      details.replaceChildren(failure(error, () => void load()));
    }
  };
  await load();

  return h(
    "div",
    { class: "page" },
    h("p", {}, h("a", { href: "#/" }, t("partnership.back"))),
    h("h1", {}, partnershipName(directory, partnership)),
    h(
      "p",
      { class: "tags" },
      h("span", { class: `badge status-${partnership.status}` }, t(`status.${partnership.status}`)),
      ...partnership.themes.map((theme) => h("span", { class: "tag" }, t(`theme.${theme}` as MessageKey))),
      partnership.partners_since ? h("span", { class: "muted" }, t("partnership.since", { year: String(partnership.partners_since) })) : null,
    ),
    membersSection(partnership, directory),
    editable ? updatesSection(() => context) : h("p", { class: "notice" }, t("partnership.readOnly")),
    details,
    exportsSection(partnership.id),
  );
}

const HISTORY_SHOWN = 200;

/** The newest changes: the registry lists them oldest first, so a long history is read from its end. */
async function latestHistory(id: string): Promise<HistoryEntry[]> {
  const path = `/v1/partnerships/${id}/history?limit=${HISTORY_SHOWN}`;
  const first = await get<Page<HistoryEntry>>("registry", path);
  const total = first.total ?? first.items.length;
  if (total <= first.items.length) return first.items;
  return (await get<Page<HistoryEntry>>("registry", `${path}&offset=${total - HISTORY_SHOWN}`)).items;
}

function membersSection(partnership: Partnership, directory: Directory): HTMLElement {
  const members = partnership.members ?? [];
  return h(
    "section",
    { class: "panel", "aria-labelledby": "members-title" },
    h("h2", { id: "members-title" }, t("partnership.members")),
    h(
      "ul",
      { class: "members" },
      members.map((member) =>
        h(
          "li",
          {},
          h("strong", {}, member.name),
          " · ",
          member.role ?? "",
          " · ",
          municipalityName(directory, member.municipality_id),
          " · ",
          h("a", { href: `mailto:${member.email}` }, member.email),
        ),
      ),
    ),
  );
}

function updatesSection(context: () => FormContext | null): HTMLElement {
  const area = h("div", { class: "form-area" });
  const buttons: HTMLButtonElement[] = [];
  const open = (make: (c: FormContext, close: () => void) => HTMLElement, button: HTMLButtonElement) => {
    const current = context();
    if (!current) return;
    const close = () => {
      area.replaceChildren();
      button.setAttribute("aria-expanded", "false");
      button.focus();
    };
    for (const other of buttons) other.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-expanded", "true");
    const form = make(current, close);
    area.replaceChildren(form);
    form.querySelector<HTMLElement>("select, input, textarea")?.focus();
  };
  const button = (label: string, name: string, make: (c: FormContext, close: () => void) => HTMLElement) => {
    const element = h("button", { type: "button", "data-action": name, "aria-expanded": "false", "aria-controls": "" }, label);
    element.addEventListener("click", () => open(make, element));
    buttons.push(element);
    return element;
  };
  const areaId = uid("forms");
  area.id = areaId;
  const section = h(
    "section",
    { class: "panel updates", "aria-labelledby": "updates-title" },
    h("h2", { id: "updates-title" }, t("updates.title")),
    h(
      "div",
      { class: "actions" },
      button(t("updates.progress"), "report-progress", progressForm),
      button(t("updates.plan"), "plan-milestone", milestoneForm),
      button(t("updates.indicator"), "record-indicator", indicatorForm),
    ),
    area,
  );
  for (const b of buttons) b.setAttribute("aria-controls", areaId);
  return section;
}

function milestoneItem(milestone: Milestone, directory: Directory): HTMLElement {
  return h(
    "li",
    { class: `milestone mstatus-${milestone.status}`, "data-milestone": milestone.id },
    h(
      "div",
      { class: "milestone-head" },
      h("strong", { lang: localizedLanguage(milestone.title) }, localized(milestone.title)),
      h("span", { class: `badge mstatus-${milestone.status}` }, t(`mstatus.${milestone.status}`)),
      milestone.example ? h("span", { class: "badge example" }, t("example.badge")) : "",
    ),
    h(
      "p",
      { class: "progress-line" },
      bar(milestone.progress, milestone.status === "overdue" ? "late" : ""),
      h("strong", { class: "milestone-progress" }, formatPercent(milestone.progress)),
    ),
    h(
      "p",
      { class: "muted" },
      milestone.reached_on ? t("milestone.reached", { date: formatDate(milestone.reached_on) }) : t("milestone.due", { date: formatDate(milestone.due_date) }),
      " · ",
      t("milestone.responsible", { municipality: municipalityName(directory, milestone.responsible_municipality_id) }),
      milestone.target ? ` · ${milestone.target}` : "",
    ),
  );
}

function roadmapSection(roadmap: Roadmap | null, directory: Directory): HTMLElement {
  const section = h("section", { class: "panel", "aria-labelledby": "roadmap-title" });
  section.append(h("h2", { id: "roadmap-title" }, t("partnership.roadmap", { phase: roadmap?.phase ?? "" })));
  const empty = !roadmap || (roadmap.objectives.length === 0 && roadmap.milestones_without_objective.length === 0);
  if (empty) {
    section.append(h("p", { class: "muted" }, t("partnership.noRoadmap")));
    return section;
  }
  if (roadmap.example) section.append(h("p", { class: "example-note", role: "note" }, t("example.roadmap")));
  section.append(
    h(
      "p",
      { class: "progress-line headline" },
      h("span", {}, t("overview.progress")),
      bar(roadmap.progress),
      h("strong", {}, formatPercent(roadmap.progress)),
      h("span", { class: "muted" }, t("overview.milestones", { reached: roadmap.milestones_reached, count: roadmap.milestones_counted })),
    ),
  );
  for (const objective of roadmap.objectives) {
    section.append(
      h(
        "div",
        { class: "objective" },
        h(
          "h3",
          {},
          h("span", { lang: localizedLanguage(objective.title) }, localized(objective.title)),
          " ",
          h("span", { class: "tag" }, t(`theme.${objective.theme}` as MessageKey)),
        ),
        h("p", { class: "progress-line" }, bar(objective.progress), h("strong", {}, formatPercent(objective.progress))),
        h("ul", { class: "milestones" }, objective.milestones.map((m) => milestoneItem(m, directory))),
      ),
    );
  }
  if (roadmap.milestones_without_objective.length) {
    section.append(
      h(
        "div",
        { class: "objective" },
        h("h3", {}, t("partnership.withoutObjective")),
        h("ul", { class: "milestones" }, roadmap.milestones_without_objective.map((m) => milestoneItem(m, directory))),
      ),
    );
  }
  return section;
}

function dayNumber(iso: string): number {
  const [y, m, d] = iso.slice(0, 10).split("-").map(Number);
  return Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1) / 86_400_000;
}

/** Milestones placed on a line of time from the earliest to the latest date, with today
marked; in Arabic the line runs from right to left, as the text does. */
function timelineSection(milestones: Milestone[]): HTMLElement {
  const section = h("section", { class: "panel", "aria-labelledby": "timeline-title" }, h("h2", { id: "timeline-title" }, t("partnership.timeline")));
  const dated = milestones.filter((m) => m.status !== "cancelled").sort((a, b) => a.due_date.localeCompare(b.due_date));
  if (dated.length === 0) {
    section.append(h("p", { class: "muted" }, t("partnership.noRoadmap")));
    return section;
  }
  const now = new Date().toISOString().slice(0, 10);
  const first = Math.min(dayNumber(dated[0]!.due_date), dayNumber(now)) - 15;
  const last = Math.max(dayNumber(dated[dated.length - 1]!.due_date), dayNumber(now)) + 15;
  const share = (iso: string) => (dayNumber(iso) - first) / (last - first);
  // A mark past the middle writes its label back towards the start, so it stays on the line.
  const place = (mark: HTMLElement, iso: string) => {
    mark.style.setProperty("inset-inline-start", `${100 * share(iso)}%`);
    if (share(iso) > 0.5) mark.classList.add("label-before");
  };
  const line = h("div", { class: "timeline", "aria-hidden": "true" });
  const todayMark = h("span", { class: "today" }, h("span", {}, t("partnership.today")));
  place(todayMark, now);
  line.append(todayMark);
  dated.forEach((milestone, index) => {
    const dot = h("span", { class: `dot mstatus-${milestone.status} lane-${index % 3}`, title: localized(milestone.title), "data-milestone": milestone.id }, h("span", { class: "dot-label" }, localized(milestone.title)));
    place(dot, milestone.due_date);
    line.append(dot);
  });
  section.append(
    h("p", { class: "sr-only" }, t("partnership.timeline.summary", { count: dated.length, first: formatDate(dated[0]!.due_date), last: formatDate(dated[dated.length - 1]!.due_date), today: formatDate(now) })),
    line,
    h(
      "ol",
      { class: "timeline-list" },
      dated.map((m) => h("li", {}, h("time", { datetime: m.due_date }, formatDate(m.due_date)), " — ", localized(m.title), " — ", t(`mstatus.${m.status}`))),
    ),
  );
  return section;
}

function dimension(value: DimensionValue): string {
  if (!value.group && !value.sex) return t("indicator.total");
  return groupAndSex(value.group, value.sex);
}

function amount(value: DimensionValue | undefined): string {
  if (!value) return "—";
  if (value.value !== null && value.value !== undefined) return formatNumber(value.value, 2);
  return value.text ?? "—";
}

function indicatorsSection(indicators: Indicator[]): HTMLElement {
  const section = h("section", { class: "panel", "aria-labelledby": "indicators-title" }, h("h2", { id: "indicators-title" }, t("partnership.indicators")));
  if (indicators.length === 0) {
    section.append(h("p", { class: "muted" }, t("partnership.noIndicators")));
    return section;
  }
  for (const indicator of indicators) {
    const key = (v: DimensionValue) => `${v.group ?? ""}/${v.sex ?? ""}`;
    const rows = indicator.periods.flatMap((period) => {
      const keys = [...new Set([...period.targets.map(key), ...period.actuals.map(key)])];
      return keys.map((k) => {
        const target = period.targets.find((v) => key(v) === k);
        const actual = period.actuals.find((v) => key(v) === k);
        return h("tr", {}, h("th", { scope: "row" }, period.period_id), h("td", {}, dimension((target ?? actual)!)), h("td", {}, amount(target)), h("td", {}, amount(actual)));
      });
    });
    section.append(
      h(
        "div",
        { class: "table-scroll", tabindex: 0, role: "region", "aria-label": localized(indicator.title) },
        h(
          "table",
          {},
          h("caption", {}, localized(indicator.title), indicator.unit ? ` — ${t("indicator.unit", { unit: indicator.unit })}` : ""),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("indicator.period")), h("th", { scope: "col" }, t("indicator.dimension")), h("th", { scope: "col" }, t("indicator.target")), h("th", { scope: "col" }, t("indicator.actual")))),
          h("tbody", {}, rows),
        ),
      ),
    );
  }
  return section;
}
