/** The update forms: report progress, plan or edit a milestone, record an indicator value.

Each checks its fields before sending (the registry checks again), sends through the
registry, then follows the submission until roadmaps applies or rejects it. A progress
report and an indicator value may carry a file as evidence: it is attached once the report
is applied, and followed the same way.
*/
import { ApiError, send } from "../api";
import { h, uid } from "../dom";
import { formatSize, groupAndSex, LANGUAGE_NAMES, LANGUAGES, localized, sexesOf, t, type MessageKey } from "../i18n";
import type { Indicator, Milestone, Objective, Partnership } from "../model";
import { errorMessage, municipalityName, type Directory } from "./common";
import { attachEvidence, EVIDENCE_ACCEPT, EVIDENCE_MAX_BYTES, evidenceProblem, evidenceRefusal } from "./evidence";
import { follow } from "./submission";

const GROUPS = ["youth", "women", "disability", "migrants"] as const;
const ID_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export interface FormContext {
  partnership: Partnership;
  directory: Directory;
  milestones: Milestone[];
  objectives: Objective[];
  indicators: Indicator[];
  /** Reload the page's data once a submission is applied. */
  refresh: () => void;
}

interface Field {
  wrapper: HTMLElement;
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  error: HTMLElement;
}

function field(
  label: string,
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  options: { required?: boolean; help?: string } = {},
): Field {
  const id = control.id || uid("field");
  control.id = id;
  const error = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
  const help = options.help ? h("p", { class: "help", id: `${id}-help` }, options.help) : null;
  if (options.required) control.required = true;
  if (help) control.setAttribute("aria-describedby", `${id}-help`);
  const wrapper = h(
    "div",
    { class: "field" },
    h("label", { for: id }, label, options.required ? h("span", { class: "required" }, ` (${t("form.required")})`) : null),
    control,
    help,
    error,
  );
  return { wrapper, control, error };
}

function setError(target: Field, message: string | null): boolean {
  target.error.hidden = !message;
  target.error.textContent = message ?? "";
  if (message) {
    target.control.setAttribute("aria-invalid", "true");
    const described = [target.control.getAttribute("aria-describedby"), target.error.id].filter(Boolean);
    target.control.setAttribute("aria-describedby", [...new Set(described.join(" ").split(" "))].join(" "));
  } else {
    target.control.removeAttribute("aria-invalid");
  }
  return !message;
}

function today(): string {
  const now = new Date();
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 10);
}

/** The optional file of a report: the input, and where its own submission is followed. */
interface EvidenceInput {
  field: Field;
  panel: HTMLElement;
}

function evidenceInput(): EvidenceInput {
  const input = h("input", { type: "file", name: "evidence", accept: EVIDENCE_ACCEPT });
  return {
    field: field(t("evidence.attach"), input, { help: t("evidence.attach.help", { limit: formatSize(EVIDENCE_MAX_BYTES) }) }),
    panel: h("div", { class: "submission-panel evidence-panel", role: "status", "aria-live": "polite" }),
  };
}

function chosenFile(evidence: EvidenceInput): File | null {
  return (evidence.field.control as HTMLInputElement).files?.[0] ?? null;
}

/** The file, if one is chosen, may be sent: empty, too large and unknown types are said here. */
function checkEvidence(evidence: EvidenceInput): boolean {
  const file = chosenFile(evidence);
  return setError(evidence.field, file ? evidenceProblem(file) : null);
}

function options(pairs: [string, string][], placeholder?: string): HTMLOptionElement[] {
  return [
    ...(placeholder !== undefined ? [h("option", { value: "" }, placeholder)] : []),
    ...pairs.map(([value, text]) => h("option", { value }, text)),
  ];
}

/** A form shell: fields, an error summary, send and cancel, and the submission panel; with
``evidence``, the file input's own panel, where the file's attachment is followed. */
function shell(
  title: string,
  body: HTMLElement[],
  submit: () => Promise<string | null>,
  context: FormContext,
  onClose: () => void,
  evidence?: EvidenceInput,
): HTMLElement {
  const titleId = uid("form-title");
  const summary = h("div", { class: "notice error", role: "alert", hidden: true });
  const panel = h("div", { class: "submission-panel", role: "status", "aria-live": "polite" });
  const sendButton = h("button", { type: "submit" }, t("form.send"));
  // A report applied whose file was refused: the next send attaches another file to it, rather
  // than reporting the same progress twice — until a field of the report itself changes.
  let reportWithoutFile: string | null = null;
  const forgetReport = () => {
    reportWithoutFile = null;
    sendButton.textContent = t("form.send");
  };
  const refused = (message: string) => {
    summary.hidden = false;
    summary.textContent = message;
    summary.focus();
  };
  const attach = async (input: EvidenceInput, reportSubmissionId: string, file: File) => {
    try {
      const outcome = await attachEvidence(input.panel, reportSubmissionId, file);
      if (outcome === "applied") {
        (input.field.control as HTMLInputElement).value = "";
        forgetReport();
        context.refresh();
        return;
      }
      if (outcome === "rejected") reportWithoutFile = reportSubmissionId;
    } catch (error) {
      reportWithoutFile = reportSubmissionId;
      refused(t("evidence.refused", { reason: evidenceRefusal(error) }));
    }
    if (reportWithoutFile) sendButton.textContent = t("evidence.retry");
  };
  const send = async (): Promise<void> => {
    const file = evidence ? chosenFile(evidence) : null;
    if (evidence && reportWithoutFile) {
      if (!file || !checkEvidence(evidence)) {
        refused(t("form.fix"));
        if (!file) setError(evidence.field, t("invalid.required"));
        evidence.field.control.focus();
        return;
      }
      await attach(evidence, reportWithoutFile, file);
      return;
    }
    const submissionId = await submit();
    if (submissionId === null) {
      summary.hidden = false;
      summary.textContent = t("form.fix");
      form.querySelector<HTMLElement>("[aria-invalid='true']")?.focus();
      return;
    }
    evidence?.panel.replaceChildren();
    const outcome = await follow(panel, submissionId);
    if (outcome !== "applied") return;
    context.refresh();
    if (evidence && file) await attach(evidence, submissionId, file);
  };
  const form = h(
    "form",
    {
      class: "update-form",
      "aria-labelledby": titleId,
      novalidate: true,
      onsubmit: (event: Event) => {
        event.preventDefault();
        summary.hidden = true;
        sendButton.disabled = true;
        send()
          .catch((error: unknown) => {
            summary.hidden = false;
            summary.textContent = t("submission.refused", { reason: errorMessage(error) });
            if (error instanceof ApiError) summary.focus();
          })
          .finally(() => {
            sendButton.disabled = false;
          });
      },
      oninput: (event: Event) => {
        if (evidence && event.target !== evidence.field.control) forgetReport();
      },
    },
    h("h3", { id: titleId }, title),
    summary,
    ...body,
    evidence?.field.wrapper,
    h(
      "div",
      { class: "actions" },
      sendButton,
      h("button", { type: "button", class: "secondary", onclick: onClose }, t("form.cancel")),
    ),
    panel,
    evidence?.panel,
  );
  summary.tabIndex = -1;
  return form;
}

function milestonePairs(context: FormContext, open: boolean): [string, string][] {
  return context.milestones
    .filter((m) => !open || (m.status !== "reached" && m.status !== "cancelled"))
    .map((m): [string, string] => [m.id, `${localized(m.title)} (${m.id})`]);
}

export function progressForm(context: FormContext, onClose: () => void): HTMLElement {
  const milestone = field(t("form.milestone"), h("select", { name: "milestone" }, options(milestonePairs(context, true), t("form.choose"))), {
    required: true,
  });
  const percentage = field(
    t("form.percentage"),
    h("input", { type: "number", name: "progress", min: 0, max: 100, step: 1, inputmode: "numeric" }),
    { required: true },
  );
  const date = field(t("form.date"), h("input", { type: "date", name: "reported_on", value: today(), max: today() }), {
    required: true,
  });
  const note = field(t("form.note"), h("textarea", { name: "note", rows: 2, maxlength: 2000 }));
  const correction = h("input", { type: "checkbox", name: "correction", id: uid("correction") });
  const evidence = evidenceInput();
  const counts: { group: string; sex: string; field: Field }[] = [];
  const grid = h(
    "fieldset",
    { class: "beneficiaries" },
    h("legend", {}, t("form.beneficiaries")),
    ...GROUPS.map((group) =>
      h(
        "div",
        { class: "group-row" },
        ...sexesOf(group).map((sex) => {
          const f = field(
            groupAndSex(group, sex),
            h("input", { type: "number", min: 0, step: 1, inputmode: "numeric", name: `${group}-${sex}` }),
          );
          counts.push({ group, sex, field: f });
          return f.wrapper;
        }),
      ),
    ),
  );
  milestone.control.addEventListener("change", () => {
    const chosen = context.milestones.find((m) => m.id === milestone.control.value);
    if (chosen && !percentage.control.value) percentage.control.value = String(chosen.progress);
    // A report says who was reached so far, in all: it starts from the last one's figures.
    for (const { group, sex, field: f } of counts) {
      const known = chosen?.beneficiaries?.find((b) => b.group === group && b.sex === sex);
      f.control.value = known ? String(known.count) : "";
    }
  });

  const submit = async (): Promise<string | null> => {
    const chosen = context.milestones.find((m) => m.id === milestone.control.value);
    let ok = setError(milestone, chosen ? null : t("invalid.required"));
    const raw = percentage.control.value.trim();
    const value = Number(raw);
    if (!raw || !Number.isInteger(value) || value < 0 || value > 100) {
      ok = setError(percentage, t("invalid.percentage")) && ok;
    } else if (chosen && value < chosen.progress && !correction.checked) {
      ok = setError(percentage, t("invalid.lower", { previous: chosen.progress })) && ok;
    } else {
      setError(percentage, null);
    }
    const reportedOn = date.control.value;
    ok = setError(date, !reportedOn ? t("invalid.required") : reportedOn > today() ? t("invalid.futureDate") : null) && ok;
    const beneficiaries = [];
    for (const { group, sex, field: f } of counts) {
      const text = f.control.value.trim();
      if (!text) {
        setError(f, null);
        continue;
      }
      const count = Number(text);
      if (!Number.isInteger(count) || count < 0) ok = setError(f, t("invalid.count")) && ok;
      else {
        setError(f, null);
        if (count > 0) beneficiaries.push({ group, sex, count });
      }
    }
    ok = checkEvidence(evidence) && ok;
    if (!ok || !chosen) return null;
    const body = {
      progress: value,
      reported_on: reportedOn,
      ...(note.control.value.trim() ? { note: note.control.value.trim() } : {}),
      beneficiaries,
      correction: correction.checked,
    };
    const accepted = await send<{ submission_id: string }>(
      "registry",
      "POST",
      `/v1/partnerships/${encodeURIComponent(context.partnership.id)}/milestones/${encodeURIComponent(chosen.id)}/progress`,
      body,
      crypto.randomUUID(),
    );
    return accepted.submission_id;
  };
  return shell(
    t("updates.progress"),
    [
      milestone.wrapper,
      percentage.wrapper,
      date.wrapper,
      h("div", { class: "field checkbox" }, correction, h("label", { for: correction.id }, t("form.correction"))),
      grid,
      note.wrapper,
    ],
    submit,
    context,
    onClose,
    evidence,
  );
}

export function milestoneForm(context: FormContext, onClose: () => void): HTMLElement {
  const which = field(t("form.milestone"), h("select", { name: "which" }, options(milestonePairs(context, true), t("form.newMilestone"))));
  const identifier = field(t("form.milestoneId"), h("input", { type: "text", name: "milestone_id", maxlength: 100, autocomplete: "off" }), {
    required: true,
  });
  const titles = LANGUAGES.map((language) => ({
    language,
    field: field(
      t("form.titleIn", { language: LANGUAGE_NAMES[language] }),
      h("input", { type: "text", name: `title-${language}`, maxlength: 300, lang: language, dir: language === "ar" ? "rtl" : "ltr" }),
    ),
  }));
  const due = field(t("form.dueDate"), h("input", { type: "date", name: "due_date", min: today() }), { required: true });
  const reason = field(t("form.rescheduleReason"), h("input", { type: "text", name: "reason", maxlength: 500 }));
  const partners = [context.partnership.moroccan_municipality_id, context.partnership.belgian_municipality_id];
  const responsible = field(
    t("form.responsible"),
    h("select", { name: "responsible" }, options(partners.map((id): [string, string] => [id, municipalityName(context.directory, id)]))),
    { required: true },
  );
  const objective = field(
    t("form.objective"),
    h("select", { name: "objective" }, options(context.objectives.map((o): [string, string] => [o.objective_id, localized(o.title)]), t("form.noObjective"))),
  );
  const target = field(t("form.target"), h("input", { type: "text", name: "target", maxlength: 500 }));

  const fill = () => {
    const chosen = context.milestones.find((m) => m.id === which.control.value);
    identifier.wrapper.hidden = !!chosen;
    reason.wrapper.hidden = !chosen;
    for (const { language, field: f } of titles) f.control.value = chosen?.title[language] ?? "";
    due.control.value = chosen?.due_date ?? "";
    responsible.control.value = chosen?.responsible_municipality_id ?? partners[0] ?? "";
    objective.control.value = chosen?.objective_id ?? "";
    target.control.value = chosen?.target ?? "";
  };
  which.control.addEventListener("change", fill);
  fill();

  const submit = async (): Promise<string | null> => {
    const chosen = context.milestones.find((m) => m.id === which.control.value);
    let ok = true;
    if (!chosen) {
      const id = identifier.control.value.trim();
      ok = setError(identifier, !id ? t("invalid.required") : ID_PATTERN.test(id) ? null : t("invalid.id"));
    }
    const title: Record<string, string> = {};
    for (const { language, field: f } of titles) if (f.control.value.trim()) title[language] = f.control.value.trim();
    const firstTitle = titles[0]!.field;
    ok = setError(firstTitle, Object.keys(title).length ? null : t("invalid.title")) && ok;
    const dueDate = due.control.value;
    const dueChanged = !chosen || dueDate !== chosen.due_date;
    ok = setError(due, !dueDate ? t("invalid.required") : dueChanged && dueDate < today() ? t("invalid.pastDate") : null) && ok;
    if (!ok) return null;
    const base = `/v1/partnerships/${encodeURIComponent(context.partnership.id)}/milestones`;
    const details = {
      title,
      responsible_municipality_id: responsible.control.value,
      ...(target.control.value.trim() ? { target: target.control.value.trim() } : {}),
      ...(objective.control.value ? { objective_id: objective.control.value } : {}),
    };
    if (!chosen) {
      const accepted = await send<{ submission_id: string }>(
        "registry",
        "POST",
        base,
        { milestone_id: identifier.control.value.trim(), due_date: dueDate, ...details },
        crypto.randomUUID(),
      );
      return accepted.submission_id;
    }
    const path = `${base}/${encodeURIComponent(chosen.id)}`;
    let last = (await send<{ submission_id: string }>("registry", "PATCH", path, details, crypto.randomUUID())).submission_id;
    if (dueChanged) {
      const body = { due_date: dueDate, ...(reason.control.value.trim() ? { reason: reason.control.value.trim() } : {}) };
      last = (await send<{ submission_id: string }>("registry", "POST", `${path}/reschedule`, body, crypto.randomUUID())).submission_id;
    }
    return last;
  };
  return shell(
    t("updates.plan"),
    [
      which.wrapper,
      identifier.wrapper,
      h(
        "fieldset",
        { class: "titles" },
        h("legend", {}, t("form.titleIn", { language: "…" }), " — ", t("form.title.help")),
        ...titles.map(({ field: f }) => f.wrapper),
      ),
      due.wrapper,
      reason.wrapper,
      responsible.wrapper,
      objective.wrapper,
      target.wrapper,
    ],
    submit,
    context,
    onClose,
  );
}

export function indicatorForm(context: FormContext, onClose: () => void): HTMLElement {
  const indicator = field(
    t("form.indicator"),
    h("select", { name: "indicator" }, options(context.indicators.map((i): [string, string] => [i.indicator_id, localized(i.title)]), t("form.choose"))),
    { required: true },
  );
  const period = field(t("form.period"), h("select", { name: "period" }), { required: true });
  const total = field(t("form.valueTotal"), h("input", { type: "number", step: "any", name: "total", inputmode: "decimal" }));
  const perGroup = GROUPS.map((group) => ({
    group,
    field: field(
      t("form.valueOf", { group: t(`group.${group}` as MessageKey) }),
      h("input", { type: "number", step: "any", name: `value-${group}`, inputmode: "decimal" }),
    ),
  }));
  const note = field(t("form.note"), h("textarea", { name: "note", rows: 2, maxlength: 2000 }));
  const evidence = evidenceInput();
  indicator.control.addEventListener("change", () => {
    const chosen = context.indicators.find((i) => i.indicator_id === indicator.control.value);
    // A qualitative indicator is reported in words, the others in numbers.
    for (const f of [total, ...perGroup.map((p) => p.field)]) {
      const input = f.control as HTMLInputElement;
      input.type = chosen?.measure === "qualitative" ? "text" : "number";
      input.inputMode = chosen?.measure === "qualitative" ? "text" : "decimal";
      input.max = chosen?.measure === "percentage" ? "100" : "";
    }
    period.control.replaceChildren(
      ...options((chosen?.periods ?? []).map((p): [string, string] => [p.period_id, `${p.period_id} (${p.start} – ${p.end})`])),
    );
  });

  const submit = async (): Promise<string | null> => {
    const chosen = context.indicators.find((i) => i.indicator_id === indicator.control.value);
    let ok = setError(indicator, chosen ? null : t("invalid.required"));
    ok = setError(period, period.control.value ? null : t("invalid.required")) && ok;
    const values: { group?: string; value?: number; text?: string }[] = [];
    for (const [group, f] of [[null, total] as const, ...perGroup.map((p) => [p.group, p.field] as const)]) {
      const text = f.control.value.trim();
      if (!text) {
        setError(f, null);
        continue;
      }
      if (chosen?.measure === "qualitative") {
        setError(f, null);
        values.push(group ? { group, text } : { text });
        continue;
      }
      const value = Number(text);
      if (!Number.isFinite(value)) ok = setError(f, t("invalid.number")) && ok;
      else if (value < 0) ok = setError(f, t("invalid.negative")) && ok;
      else if (chosen?.measure === "percentage" && value > 100) ok = setError(f, t("invalid.share")) && ok;
      else {
        setError(f, null);
        values.push(group ? { group, value } : { value });
      }
    }
    if (ok && values.length === 0) ok = setError(total, t("invalid.oneValue"));
    ok = checkEvidence(evidence) && ok;
    if (!ok || !chosen) return null;
    const accepted = await send<{ submission_id: string }>(
      "registry",
      "POST",
      `/v1/partnerships/${encodeURIComponent(context.partnership.id)}/indicators/${encodeURIComponent(chosen.indicator_id)}/values`,
      { period_id: period.control.value, values, ...(note.control.value.trim() ? { note: note.control.value.trim() } : {}) },
      crypto.randomUUID(),
    );
    return accepted.submission_id;
  };
  return shell(
    t("updates.indicator"),
    [indicator.wrapper, period.wrapper, total.wrapper, ...perGroup.map((p) => p.field.wrapper), note.wrapper],
    submit,
    context,
    onClose,
    evidence,
  );
}
