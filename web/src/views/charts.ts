/** Programme figures as bar charts drawn in HTML: each bar's length is set in CSS logical
sizes, so Arabic mirrors it, and every figure is also written out as text a screen reader
reads (the bars themselves are decoration). */
import { bar, h } from "../dom";
import { formatPercent, groupAndSex, t, type MessageKey } from "../i18n";
import type { Dashboard } from "../model";

export function themeChart(themes: Record<string, number>): HTMLElement {
  const entries = Object.entries(themes);
  return h(
    "figure",
    { class: "chart" },
    h("figcaption", {}, t("chart.themes")),
    entries.length === 0
      ? h("p", { class: "muted" }, t("chart.empty"))
      : h(
          "ul",
          { class: "bars" },
          entries.map(([theme, progress]) =>
            h(
              "li",
              {},
              h("span", { class: "bar-label" }, t(`theme.${theme}` as MessageKey)),
              bar(progress),
              h("span", { class: "bar-value" }, formatPercent(progress)),
            ),
          ),
        ),
  );
}

export function beneficiariesChart(rows: Dashboard["beneficiaries"]): HTMLElement {
  const largest = Math.max(1, ...rows.map((row) => Math.max(row.reached, row.target ?? 0)));
  return h(
    "figure",
    { class: "chart" },
    h("figcaption", {}, t("chart.beneficiaries")),
    rows.length === 0
      ? h("p", { class: "muted" }, t("chart.empty"))
      : h(
          "ul",
          { class: "bars paired" },
          rows.map((row) =>
            h(
              "li",
              {},
              h(
                "span",
                { class: "bar-label" },
                groupAndSex(row.group, row.sex),
              ),
              h(
                "span",
                { class: "bar-pair" },
                bar((100 * row.reached) / largest, "reached"),
                bar((100 * (row.target ?? 0)) / largest, "target"),
              ),
              h(
                "span",
                { class: "bar-value" },
                `${t("chart.reachedCount", { count: row.reached })} / ` +
                  (row.target === null ? t("chart.noTarget") : t("chart.targetCount", { count: row.target })),
              ),
            ),
          ),
        ),
    rows.length === 0
      ? null
      : h(
          "p",
          { class: "legend", "aria-hidden": "true" },
          h("span", { class: "swatch reached" }),
          t("chart.reached"),
          " ",
          h("span", { class: "swatch target" }),
          t("chart.target"),
        ),
  );
}
