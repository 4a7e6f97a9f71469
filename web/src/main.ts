/** The application shell: configuration, sign-in, language, header and the hash router. */
import "./style.css";
import { ApiError, get } from "./api";
import { currentClaims, signIn, signOut, takeTokenFromFragment } from "./auth";
import { loadConfig } from "./config";
import { choosePhase, chosenPhase } from "./phase";
import { append, h } from "./dom";
import { hasStoredLanguage, initialLanguage, isLanguage, language, LANGUAGE_NAMES, LANGUAGES, setLanguage, t } from "./i18n";
import { failure, municipalities, municipalityName } from "./views/common";
import { deliveriesPage } from "./views/deliveries";
import { overviewPage } from "./views/overview";
import { partnershipPage } from "./views/partnership";
import { preferencesPage } from "./views/preferences";
import { signInPage } from "./views/signin";

const main = document.getElementById("main") as HTMLElement;
const top = document.getElementById("top") as HTMLElement;
const skip = document.getElementById("skip-link") as HTMLAnchorElement;
let renderCount = 0;

async function header(): Promise<void> {
  const claims = currentClaims();
  const languageId = "language-select";
  const choose = h(
    "select",
    { id: languageId, name: "language" },
    ...LANGUAGES.map((code) => h("option", { value: code, lang: code, selected: code === language() }, LANGUAGE_NAMES[code])),
  );
  choose.addEventListener("change", () => {
    if (isLanguage(choose.value)) {
      setLanguage(choose.value);
      void render();
    }
  });
  // The phase the pages show: the one in progress, or an earlier (or the next) one chosen.
  const programme = claims
    ? await get<{ phases?: { phase_id: string }[] }>("registry", "/v1/programme").catch(() => null)
    : null;
  const phases = programme?.phases ?? [];
  const phaseId = "phase-select";
  const phaseChoice = h(
    "select",
    { id: phaseId, name: "phase" },
    h("option", { value: "", selected: !chosenPhase() }, t("phase.current")),
    ...phases.map((p) => h("option", { value: p.phase_id, selected: p.phase_id === chosenPhase() }, p.phase_id)),
  );
  phaseChoice.addEventListener("change", () => {
    choosePhase(phaseChoice.value || null);
    void render();
  });
  let who: string | null = null;
  if (claims) {
    let role = t(`role.${claims.role}`);
    if (claims.role === "officer" && claims.municipality_id) {
      const directory = await municipalities().catch(() => null);
      role = t("role.officer", { municipality: directory ? municipalityName(directory, claims.municipality_id) : claims.municipality_id });
    }
    who = t("whoami", { subject: claims.sub, role });
  }
  const link = (href: string, label: string) =>
    h("a", { href, "aria-current": location.hash === href || (href === "#/" && (location.hash === "" || location.hash === "#/")) ? "page" : null }, label);
  top.replaceChildren();
  append(top, [
    h(
      "div",
      { class: "brand" },
      h("a", { href: "#/", class: "name" }, t("app.name")),
      h("span", { class: "tagline" }, t("app.tagline")),
    ),
    claims
      ? h(
          "nav",
          { "aria-label": t("nav.main") },
          h(
            "ul",
            {},
            h("li", {}, link("#/", t("nav.overview"))),
            h("li", {}, link("#/preferences", t("nav.preferences"))),
            claims.role === "coordinator" ? h("li", {}, link("#/deliveries", t("nav.deliveries"))) : null,
          ),
        )
      : null,
    h(
      "div",
      { class: "session" },
      h("span", { class: "field inline" }, h("label", { for: languageId }, t("language")), choose),
      phases.length ? h("span", { class: "field inline" }, h("label", { for: phaseId }, t("phase.label")), phaseChoice) : null,
      who ? h("span", { class: "who" }, who) : null,
      claims
        ? h(
            "button",
            {
              type: "button",
              class: "secondary",
              onclick: () => {
                signOut();
                location.hash = "#/";
                void render();
              },
            },
            t("signout"),
          )
        : null,
    ),
  ]);
}

async function route(): Promise<HTMLElement> {
  const path = location.hash.replace(/^#/, "") || "/";
  // An email links to a milestone (…/milestones/<id>) or to a file (…/evidence/<id>).
  const partnership = /^\/partnerships\/([^/]+)(?:\/(evidence|milestones)\/([^/]+))?$/.exec(path);
  if (partnership?.[1]) {
    const evidence =
      partnership[2] === "evidence" && partnership[3] ? decodeURIComponent(partnership[3]) : undefined;
    return partnershipPage(decodeURIComponent(partnership[1]), evidence);
  }
  if (path === "/preferences") return preferencesPage();
  if (path === "/deliveries") return deliveriesPage();
  return overviewPage();
}

async function render(moveFocus = false): Promise<void> {
  const mine = ++renderCount;
  skip.textContent = t("skip");
  document.title = t("app.name");
  await header();
  if (!currentClaims()) {
    main.replaceChildren(signInPage(() => void render(true)));
    return;
  }
  main.setAttribute("aria-busy", "true");
  main.replaceChildren(h("p", { class: "loading" }, t("loading")));
  let page: HTMLElement;
  try {
    page = await route();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      // The services refuse the token (expired, or not one of this programme's): signing in
      // again is the way on, not a retry of the same token.
      signOut();
      if (mine !== renderCount) return;
      await header();
      main.removeAttribute("aria-busy");
      main.replaceChildren(signInPage(() => void render(true), t("signin.refused")));
      return;
    }
    page = failure(error, () => void render());
  }
  if (mine !== renderCount) return; // a later navigation won
  main.replaceChildren(page);
  main.removeAttribute("aria-busy");
  const heading = main.querySelector("h1");
  if (heading) document.title = `${heading.textContent ?? ""} — ${t("app.name")}`;
  // A deep link (an email's "see the file") names what to show: it gets the focus, centred.
  const linked = main.querySelector<HTMLElement>("[data-deep-link]");
  if (linked) {
    linked.focus({ preventScroll: true });
    linked.scrollIntoView({ block: "center" });
  } else if (moveFocus) main.focus();
}

async function start(): Promise<void> {
  try {
    await loadConfig();
  } catch (error) {
    main.replaceChildren(h("p", { class: "notice error", role: "alert" }, String(error)));
    return;
  }
  const handed = takeTokenFromFragment();
  if (handed) {
    try {
      signIn(handed);
    } catch {
      /* the sign-in page says what is wrong with the next one */
    }
  }
  setLanguage(initialLanguage(currentClaims()?.language), hasStoredLanguage());
  window.addEventListener("hashchange", () => void render(true));
  // The router owns the fragment: the skip link moves focus instead of navigating.
  skip.addEventListener("click", (event) => {
    event.preventDefault();
    main.focus();
  });
  await render();
}

void start();
