/** The programme at a glance: its figures as charts, and every partnership as a card. */
import { get } from "../api";
import { inPhase } from "../phase";
import { bar, h, uid } from "../dom";
import { formatPercent, t, type MessageKey } from "../i18n";
import type { Dashboard, Milestone, Page, Partnership } from "../model";
import { beneficiariesChart, themeChart } from "./charts";
import { exportsSection, municipalities, municipalityName, partnershipName, type Directory } from "./common";
import { phasesSection } from "./phases";

interface Filters {
  theme: string;
  country: string;
  municipality: string;
  status: string;
}

const FILTERS_KEY = "imc-hub.filters";

function storedFilters(): Filters {
  const empty = { theme: "", country: "", municipality: "", status: "" };
  try {
    return { ...empty, ...(JSON.parse(sessionStorage.getItem(FILTERS_KEY) ?? "{}") as Partial<Filters>) };
  } catch {
    return empty;
  }
}

export async function overviewPage(): Promise<HTMLElement> {
  const [directory, partnerships, dashboard, overdue, dueSoon] = await Promise.all([
    municipalities(),
    get<Page<Partnership>>("registry", "/v1/partnerships?limit=200"),
    get<Dashboard>("roadmaps", inPhase("/v1/dashboard")),
    get<Page<Milestone>>("roadmaps", "/v1/milestones/overdue"),
    get<Page<Milestone>>("roadmaps", "/v1/milestones/due-soon"),
  ]);
  const count = (items: Milestone[]) => {
    const counts = new Map<string, number>();
    for (const m of items) counts.set(m.partnership_id, (counts.get(m.partnership_id) ?? 0) + 1);
    return counts;
  };
  const late = count(overdue.items);
  const soon = count(dueSoon.items);

  const filters = storedFilters();
  const cards = h("ul", { class: "cards" });
  const shown = h("p", { class: "muted", role: "status", "aria-live": "polite" });
  const render = () => {
    sessionStorage.setItem(FILTERS_KEY, JSON.stringify(filters));
    const matching = partnerships.items.filter((p) => {
      const members = [p.moroccan_municipality_id, p.belgian_municipality_id];
      if (filters.theme && !p.themes.includes(filters.theme)) return false;
      if (filters.status && p.status !== filters.status) return false;
      if (filters.municipality && !members.includes(filters.municipality)) return false;
      return true;
    });
    cards.replaceChildren(
      ...matching.map((p) => card(p, directory, dashboard.partnerships[p.id] ?? 0, late.get(p.id) ?? 0, soon.get(p.id) ?? 0)),
    );
    if (matching.length === 0) cards.append(h("li", { class: "muted" }, t("overview.none")));
    shown.textContent = t("overview.shown", { shown: matching.length, total: partnerships.items.length });
  };

  const themes = [...new Set(partnerships.items.flatMap((p) => p.themes))].sort();
  const municipalitySelect = select(
    t("filter.municipality"),
    () => municipalityOptions(directory, filters.country),
    filters.municipality,
    (value) => {
      filters.municipality = value;
      render();
    },
  );
  const form = h(
    "form",
    { class: "filters", onsubmit: (event: Event) => event.preventDefault() },
    h(
      "fieldset",
      {},
      h("legend", {}, t("filter.legend")),
      select(t("filter.theme"), () => themes.map((theme) => [theme, t(`theme.${theme}` as MessageKey)]), filters.theme, (value) => {
        filters.theme = value;
        render();
      }).wrapper,
      select(
        t("filter.country"),
        () => [
          ["MA", t("country.MA")],
          ["BE", t("country.BE")],
        ],
        filters.country,
        (value) => {
          filters.country = value;
          if (filters.municipality && directory.get(filters.municipality)?.country !== value && value) {
            filters.municipality = "";
          }
          municipalitySelect.refill(filters.municipality);
          render();
        },
      ).wrapper,
      municipalitySelect.wrapper,
      select(
        t("filter.status"),
        () => (["active", "suspended", "closed"] as const).map((s) => [s, t(`status.${s}`)]),
        filters.status,
        (value) => {
          filters.status = value;
          render();
        },
      ).wrapper,
      h(
        "button",
        {
          type: "reset",
          class: "secondary",
          onclick: () => {
            Object.assign(filters, { theme: "", country: "", municipality: "", status: "" });
            queueMicrotask(() => {
              municipalitySelect.refill("");
              render();
            });
          },
        },
        t("filter.reset"),
      ),
    ),
  );
  render();

  return h(
    "div",
    { class: "page" },
    h("h1", {}, t("overview.title")),
    dashboard.example_milestones
      ? h("p", { class: "example-note", role: "note" }, t("example.programme", { count: dashboard.example_milestones }))
      : "",
    h(
      "section",
      { class: "panel figures", "aria-labelledby": "figures-title" },
      h("h2", { id: "figures-title" }, t("overview.figures")),
      h(
        "p",
        { class: "headline" },
        h("span", { class: "big" }, formatPercent(dashboard.progress)),
        " ",
        t("overview.progress"),
        " · ",
        t("overview.milestones", { reached: dashboard.milestones_reached, count: dashboard.milestones }),
      ),
      h("div", { class: "charts" }, themeChart(dashboard.themes), beneficiariesChart(dashboard.beneficiaries)),
    ),
    h(
      "section",
      { "aria-labelledby": "partnerships-title" },
      h("h2", { id: "partnerships-title" }, t("overview.partnerships")),
      form,
      shown,
      cards,
    ),
    await phasesSection(dashboard),
    exportsSection(),
  );
}

function municipalityOptions(directory: Directory, country: string): [string, string][] {
  return [...directory.values()]
    .filter((m) => !country || m.country === country)
    .map((m): [string, string] => [m.id, municipalityName(directory, m.id)])
    .sort((a, b) => a[1].localeCompare(b[1]));
}

function select(
  label: string,
  options: () => [string, string][],
  value: string,
  onChange: (value: string) => void,
): { wrapper: HTMLElement; refill: (value: string) => void } {
  const id = uid("filter");
  const element = h("select", { id, onchange: () => onChange(element.value) });
  const refill = (selected: string) => {
    element.replaceChildren(
      h("option", { value: "" }, t("filter.all")),
      ...options().map(([key, text]) => h("option", { value: key }, text)),
    );
    element.value = selected;
  };
  refill(value);
  return { wrapper: h("div", { class: "field" }, h("label", { for: id }, label), element), refill };
}

function card(
  partnership: Partnership,
  directory: Directory,
  progress: number,
  overdue: number,
  dueSoon: number,
): HTMLElement {
  const titleId = uid("card");
  return h(
    "li",
    { class: `card status-${partnership.status}`, "aria-labelledby": titleId },
    h(
      "h3",
      { id: titleId },
      h("a", { href: `#/partnerships/${encodeURIComponent(partnership.id)}` }, partnershipName(directory, partnership)),
    ),
    h(
      "p",
      { class: "tags" },
      h("span", { class: `badge status-${partnership.status}` }, t(`status.${partnership.status}`)),
      ...partnership.themes.map((theme) => h("span", { class: "tag" }, t(`theme.${theme}` as MessageKey))),
    ),
    h(
      "p",
      { class: "progress-line" },
      h("span", {}, t("card.progress")),
      bar(progress),
      h("strong", {}, formatPercent(progress)),
    ),
    h(
      "p",
      { class: "counts" },
      h("span", { class: overdue ? "badge late" : "badge quiet" }, t("card.overdue", { count: overdue })),
      h("span", { class: dueSoon ? "badge soon" : "badge quiet" }, t("card.dueSoon", { count: dueSoon })),
    ),
  );
}
