/** A submission's way from received to applied or rejected, shown where the form was sent. */
import { get } from "../api";
import { h } from "../dom";
import { t } from "../i18n";
import type { Submission } from "../model";

const POLL_FOR_MS = 60_000;

/** What the panel says of a submission other than a form's (an attached file's, say). */
export interface FollowTexts {
  title?: string;
  applied?: string;
}

/** Follow ``submissionId`` in ``panel`` (a live region); resolves with its last state. */
export async function follow(panel: HTMLElement, submissionId: string, texts: FollowTexts = {}): Promise<Submission["status"]> {
  const show = (status: Submission["status"] | "pending", text: string) => {
    panel.replaceChildren(
      h("h3", {}, texts.title ?? t("submission.title")),
      h("p", { class: `submission ${status}`, "data-status": status }, text),
    );
  };
  show("received", t("submission.received"));
  const until = Date.now() + POLL_FOR_MS;
  let wait = 300;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(wait * 1.5, 2000);
    const submission = await get<Submission>("registry", `/v1/submissions/${encodeURIComponent(submissionId)}`);
    if (submission.status === "applied") {
      show("applied", texts.applied ?? t("submission.applied"));
      return "applied";
    }
    if (submission.status === "rejected") {
      show("rejected", t("submission.rejected", { reason: submission.reason ?? submission.code ?? "" }));
      return "rejected";
    }
  }
  show("pending", t("submission.pending"));
  return "received";
}
