/** The programme's phases side by side — each phase's figures from its own roll-ups — and,
 * for a coordinator, opening the next phase, carrying partnerships over, closing a phase. */
import { get, send } from "../api";
import { currentClaims } from "../auth";
import { h } from "../dom";
import { formatDate, formatNumber, formatPercent, t } from "../i18n";
import type { Dashboard, Phase } from "../model";

interface Programme {
  phases: Phase[];
}

export async function phasesSection(current: Dashboard): Promise<HTMLElement> {
  const section = h("section", { class: "panel", "aria-labelledby": "phases-title" });
  const status = h("p", { id: "phases-status", class: "muted", role: "status", "aria-live": "polite" });
  let shown = current.phases ?? [];
  const fill = async (phases: Phase[]) => {
    shown = phases;
    const table = await phasesTable(phases, current);
    const coordinator = currentClaims()?.role === "coordinator";
    section.replaceChildren(
      h("h2", { id: "phases-title" }, t("phases.title")),
      h("div", { class: "table-scroll", tabindex: 0, role: "region", "aria-labelledby": "phases-title" }, table),
      coordinator ? coordinatorActions(phases, act) : "",
      status,
    );
  };
  // After a change, the registry's answer holds the phases as they now are; roadmaps hears of
  // them a moment later, so its figures for a phase just opened may still be empty.
  const act = async (change: () => Promise<[string, Phase[] | null]>) => {
    status.textContent = "";
    try {
      const [message, phases] = await change();
      await fill(phases ?? shown);  // a carry-over's answer has no phases: keep those shown
      status.textContent = message;
    } catch (error: unknown) {
      status.textContent = t("phases.failed", { reason: error instanceof Error ? error.message : String(error) });
    }
  };
  await fill(shown);
  return section;
}

async function phasesTable(phases: Phase[], current: Dashboard): Promise<HTMLElement> {
  const figures = await Promise.all(
    phases.map(async (phase): Promise<[Phase, Dashboard]> => [
      phase,
      phase.phase_id === current.phase
        ? current
        : await get<Dashboard>("roadmaps", `/v1/dashboard?phase=${encodeURIComponent(phase.phase_id)}`),
    ]),
  );
  const reached = (d: Dashboard) => d.beneficiaries.reduce((sum, row) => sum + row.reached, 0);
  const row = (label: string, cell: (d: Dashboard, phase: Phase) => string) =>
    h("tr", {}, h("th", { scope: "row" }, label), ...figures.map(([phase, d]) => h("td", {}, cell(d, phase))));
  return h(
    "table",
    { id: "phases-table" },
    h("caption", {}, t("phases.caption")),
    h("thead", {}, h("tr", {}, h("td", {}), ...phases.map((p) => h("th", { scope: "col" }, p.phase_id)))),
    h(
      "tbody",
      {},
      row(t("phases.dates"), (_, p) => `${formatDate(p.start)} – ${formatDate(p.end)}`),
      row(t("phases.status"), (_, p) => t(`phases.status.${p.status}`)),
      row(t("overview.progress"), (d) => formatPercent(d.progress)),
      row(t("phases.milestones"), (d) => `${formatNumber(d.milestones_reached)} / ${formatNumber(d.milestones)}`),
      row(t("phases.partnerships"), (d) => formatNumber(Object.keys(d.partnerships).length)),
      row(t("phases.beneficiaries"), (d) => formatNumber(reached(d))),
    ),
  );
}

type Act = (change: () => Promise<[string, Phase[] | null]>) => Promise<void>;

function coordinatorActions(phases: Phase[], act: Act): HTMLElement {
  const last = phases[phases.length - 1];
  const nextStart = last ? Number(last.end.slice(0, 4)) + 1 : new Date().getFullYear();
  const id = h("input", { id: "phase-id", name: "id", required: true, value: `${nextStart}-${nextStart + 4}`, pattern: "\\d{4}-\\d{4}" });
  const start = h("input", { id: "phase-start", name: "start", type: "date", required: true, value: `${nextStart}-01-01` });
  const end = h("input", { id: "phase-end", name: "end", type: "date", required: true, value: `${nextStart + 4}-12-31` });
  const open = h(
    "form",
    {
      onsubmit: (event: Event) => {
        event.preventDefault();
        void act(async () => {
          const programme = await send<Programme>("registry", "POST", "/v1/programme/phases", {
            id: id.value,
            start: start.value,
            end: end.value,
          });
          return [t("phases.opened", { phase: id.value }), programme.phases];
        });
      },
    },
    h("h3", {}, t("phases.open")),
    h("div", { class: "field" }, h("label", { for: "phase-id" }, t("phases.id")), id),
    h("div", { class: "field" }, h("label", { for: "phase-start" }, t("phases.start")), start),
    h("div", { class: "field" }, h("label", { for: "phase-end" }, t("phases.end")), end),
    h("button", { type: "submit" }, t("phases.open.submit")),
  );
  const running = phases.filter((p) => p.status === "running");
  const newest = running[running.length - 1];
  const actions = h(
    "ul",
    { class: "inline-list" },
    ...running.map((phase) => {
      const previous = phases[phases.indexOf(phase) - 1];
      return [
        previous && phase === newest
          ? h(
              "li",
              {},
              h(
                "button",
                {
                  type: "button",
                  class: "secondary",
                  onclick: () =>
                    act(async () => {
                      const done = await send<{ carried: string[]; already: string[] }>(
                        "registry",
                        "POST",
                        `/v1/programme/phases/${phase.phase_id}/partnerships`,
                        { from_phase: previous.phase_id },
                      );
                      return [t("phases.carried", { count: done.carried.length, phase: phase.phase_id }), null];
                    }),
                },
                t("phases.carry", { from: previous.phase_id, to: phase.phase_id }),
              ),
            )
          : null,
        h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              class: "secondary",
              onclick: () => {
                if (!confirm(t("phases.close.confirm", { phase: phase.phase_id }))) return;
                void act(async () => {
                  const programme = await send<Programme>(
                    "registry",
                    "POST",
                    `/v1/programme/phases/${phase.phase_id}/close`,
                    {},
                  );
                  return [t("phases.closed", { phase: phase.phase_id }), programme.phases];
                });
              },
            },
            t("phases.close", { phase: phase.phase_id }),
          ),
        ),
      ];
    }),
  );
  return h("div", { class: "phase-actions" }, actions, open);
}
