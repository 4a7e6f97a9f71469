/** The signed-in member's notification preferences: per kind, immediately, daily digest or off. */
import { currentClaims } from "../auth";
import { get, send } from "../api";
import { h, uid } from "../dom";
import { t, type MessageKey } from "../i18n";
import type { Member, Page } from "../model";
import { errorMessage } from "./common";

type Mode = "immediate" | "digest" | "off";
const KINDS = ["milestone_reached", "milestone_due_soon", "milestone_overdue", "submission_rejected", "partnership_status_changed"] as const;
const MODES: Mode[] = ["immediate", "digest", "off"];

interface PreferencesView {
  recipient_id: string;
  version: number;
  preferences: { default: Mode; kinds: Record<string, Mode>; whole_programme?: boolean; time_zone?: string | null; digest_hour?: number | null };
  mandatory_kinds: string[];
}

/** The directory entry behind the token: members by municipality and email, else coordinators. */
async function me(): Promise<Member | null> {
  const claims = currentClaims();
  if (!claims) return null;
  const subject = claims.sub.toLowerCase();
  if (claims.municipality_id) {
    const members = await get<Page<Member>>("registry", `/v1/members?municipality=${encodeURIComponent(claims.municipality_id)}&limit=200`);
    const found = members.items.find((m) => m.id === claims.sub || m.email.toLowerCase() === subject);
    if (found) return found;
  }
  const coordinators = await get<Page<Member>>("registry", "/v1/coordinators?limit=200");
  return coordinators.items.find((c) => c.id === claims.sub || c.email.toLowerCase() === subject) ?? null;
}

export async function preferencesPage(): Promise<HTMLElement> {
  const page = h("div", { class: "page" }, h("h1", {}, t("prefs.title")));
  const person = await me();
  if (!person) {
    page.append(h("p", { class: "notice" }, t("prefs.none", { subject: currentClaims()?.sub ?? "" })));
    return page;
  }
  const view = await get<PreferencesView>("notifications", `/v1/preferences/${encodeURIComponent(person.id)}`);
  const status = h("p", { role: "status", "aria-live": "polite" });
  const choices = new Map<string, Mode>();
  const group = (key: string, label: string, value: Mode, mandatory: boolean) => {
    const name = uid(`pref-${key}`);
    choices.set(key, value);
    return h(
      "fieldset",
      { class: "choice" },
      h("legend", {}, label),
      ...MODES.map((mode) => {
        const id = `${name}-${mode}`;
        const input = h("input", { type: "radio", name, id, value: mode, checked: mode === value, disabled: mandatory && mode === "off" });
        input.addEventListener("change", () => choices.set(key, mode));
        return h("span", { class: "radio" }, input, h("label", { for: id }, t(`prefs.${mode}`)));
      }),
      mandatory ? h("p", { class: "help" }, t("prefs.mandatory")) : null,
    );
  };
  const prefs = view.preferences;
  const form = h(
    "form",
    {
      class: "preferences",
      onsubmit: (event: Event) => {
        event.preventDefault();
        const defaultMode = choices.get("default") ?? "immediate";
        const kinds: Record<string, Mode> = {};
        for (const kind of KINDS) {
          const mode = choices.get(kind);
          if (mode && mode !== defaultMode) kinds[kind] = mode;
        }
        status.textContent = "";
        send<PreferencesView>("notifications", "PUT", `/v1/preferences/${encodeURIComponent(person.id)}`, { ...prefs, default: defaultMode, kinds })
          .then(() => {
            status.textContent = t("prefs.saved");
          })
          .catch((error: unknown) => {
            status.textContent = t("submission.refused", { reason: errorMessage(error) });
          });
      },
    },
    h("p", {}, t("prefs.intro")),
    h("p", { class: "muted" }, t("prefs.for", { name: person.name, email: person.email })),
    ...KINDS.map((kind) => group(kind, t(`kind.${kind}` as MessageKey), prefs.kinds[kind] ?? prefs.default, view.mandatory_kinds.includes(kind))),
    group("default", t("prefs.default"), prefs.default, false),
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("prefs.save"))),
    status,
  );
  page.append(form);
  return page;
}
