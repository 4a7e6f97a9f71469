/** The phase the reader looks at: the one in progress unless they chose another (an earlier
phase's roadmaps stay readable once the next one opens). Kept for the tab's session. */
const STORAGE_KEY = "imc-hub.phase";

export function chosenPhase(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function choosePhase(phase: string | null): void {
  if (phase) sessionStorage.setItem(STORAGE_KEY, phase);
  else sessionStorage.removeItem(STORAGE_KEY);
}

/** ``path`` asking for the chosen phase; as it is when none is chosen. */
export function inPhase(path: string): string {
  const phase = chosenPhase();
  if (!phase) return path;
  return `${path}${path.includes("?") ? "&" : "?"}phase=${encodeURIComponent(phase)}`;
}
