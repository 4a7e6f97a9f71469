/** Sign in: pick a local account, paste a token, or go to the identity provider. */
import { InvalidToken, signIn } from "../auth";
import { config } from "../config";
import { h, uid } from "../dom";
import { t } from "../i18n";

export function signInPage(onSignedIn: () => void, notice?: string): HTMLElement {
  const accounts = config().tokens ?? [];
  const error = h("p", { class: "field-error", role: "alert" });
  const pickId = uid("account");
  const pasteId = uid("token");
  const pick = h(
    "select",
    { id: pickId, name: "account" },
    h("option", { value: "" }, "—"),
    ...accounts.map((account) =>
      h("option", { value: account.token }, account.municipality === "-" ? account.role : `${account.role} · ${account.municipality}`),
    ),
  );
  const paste = h("textarea", { id: pasteId, name: "token", rows: 3, spellcheck: false, autocomplete: "off" });
  const form = h(
    "form",
    {
      class: "panel signin",
      onsubmit: (event: Event) => {
        event.preventDefault();
        const token = paste.value.trim() || pick.value;
        try {
          if (!token) throw new InvalidToken("invalid.required");
          signIn(token);
          onSignedIn();
        } catch (problem) {
          const reason = problem instanceof InvalidToken ? t(problem.problem) : problem instanceof Error ? problem.message : String(problem);
          error.textContent = t("signin.invalid", { reason });
          paste.setAttribute("aria-invalid", "true");
          paste.focus();
        }
      },
    },
    h("h1", {}, t("signin.title")),
    notice ? h("p", { class: "notice" }, notice) : null,
    h("p", {}, t("signin.intro")),
    config().sign_in_url ? h("p", {}, h("a", { class: "button", href: config().sign_in_url }, t("signin.provider"))) : null,
    accounts.length
      ? h(
          "fieldset",
          {},
          h("legend", {}, t("signin.local")),
          h("p", { class: "help", id: `${pickId}-help` }, t("signin.local.help")),
          h("div", { class: "field" }, h("label", { for: pickId }, t("signin.pick")), pick),
        )
      : null,
    h("div", { class: "field" }, h("label", { for: pasteId }, t("signin.paste")), paste),
    error,
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("signin.submit"))),
  );
  pick.setAttribute("aria-describedby", `${pickId}-help`);
  return form;
}
