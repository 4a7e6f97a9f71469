/** The delivery log, for coordinators: every email, its status and attempts. */
import { currentClaims } from "../auth";
import { get } from "../api";
import { h } from "../dom";
import { formatDateTime, t } from "../i18n";

interface Delivery {
  delivery_id: string;
  recipient_id: string;
  email: string;
  kind: string;
  partnership_id: string;
  language: string;
  subject: string;
  status: "pending" | "sent" | "failed";
  attempts: number;
  last_error: string | null;
  created_at: string;
}

export async function deliveriesPage(): Promise<HTMLElement> {
  const page = h("div", { class: "page" }, h("h1", {}, t("deliveries.title")));
  if (currentClaims()?.role !== "coordinator") {
    page.append(h("p", { class: "notice" }, t("deliveries.forbidden")));
    return page;
  }
  page.append(h("p", {}, t("deliveries.intro")));
  const body = h("tbody", {});
  const more = h("button", { type: "button", class: "secondary" }, t("deliveries.more"));
  let offset: number | null = 0;
  const load = async () => {
    if (offset === null) return;
    const answer = await get<{ items: Delivery[]; next_offset: number | null }>("notifications", `/v1/deliveries?limit=50&offset=${offset}`);
    for (const d of answer.items) {
      body.append(
        h(
          "tr",
          {},
          h("td", {}, h("time", { datetime: d.created_at }, formatDateTime(d.created_at))),
          h("td", {}, d.email),
          h("td", { lang: d.language, dir: "auto" }, d.subject),
          h("td", {}, d.partnership_id),
          h("td", {}, h("span", { class: `badge dstatus-${d.status}` }, t(`dstatus.${d.status}`)), d.last_error ? ` ${d.last_error}` : ""),
          h("td", {}, String(d.attempts)),
        ),
      );
    }
    offset = answer.next_offset;
    more.hidden = offset === null;
    if (!body.children.length) body.append(h("tr", {}, h("td", { colspan: 6 }, t("deliveries.none"))));
  };
  more.addEventListener("click", () => void load());
  await load();
  page.append(
    h(
      "div",
      { class: "table-scroll", tabindex: 0, role: "region", "aria-label": t("deliveries.title") },
      h(
        "table",
        {},
        h(
          "thead",
          {},
          h("tr", {}, ...(["deliveries.when", "deliveries.recipient", "deliveries.subject", "deliveries.partnership", "deliveries.status", "deliveries.attempts"] as const).map((k) => h("th", { scope: "col" }, t(k)))),
        ),
        body,
      ),
    ),
    more,
  );
  return page;
}
