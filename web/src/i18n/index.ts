/** The interface's language: its messages, direction, and how dates and numbers read. */
import ar from "./ar.json";
import en from "./en.json";
import fr from "./fr.json";
import nl from "./nl.json";
import { template, type Plural } from "./plural";

/** English is the reference catalog: every other language has the same keys (the compiler
checks it here), and a message with a count (an object of plural forms) has plural forms in
every language. */
export type MessageKey = keyof typeof en;
type Catalog = { [K in MessageKey]: (typeof en)[K] extends string ? string : Plural };

export type Language = "ar" | "fr" | "nl" | "en";
export const LANGUAGES: readonly Language[] = ["ar", "fr", "nl", "en"];
export const LANGUAGE_NAMES: Record<Language, string> = {
  ar: "العربية",
  fr: "Français",
  nl: "Nederlands",
  en: "English",
};
const CATALOGS: Record<Language, Catalog> = { ar, fr, nl, en };
const STORAGE_KEY = "imc-hub.language";

let current: Language = "en";

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

/** The stored choice, else the token's language, else the browser's, else French. */
export function initialLanguage(tokenLanguage?: string | null): Language {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (isLanguage(stored)) return stored;
  if (isLanguage(tokenLanguage)) return tokenLanguage;
  for (const tag of navigator.languages ?? []) {
    const base = tag.slice(0, 2).toLowerCase();
    if (isLanguage(base)) return base;
  }
  return "fr";
}

export function language(): Language {
  return current;
}

export function hasStoredLanguage(): boolean {
  return isLanguage(localStorage.getItem(STORAGE_KEY));
}

/** Switch the whole page: messages, ``lang`` and ``dir`` on <html> (Arabic mirrors the layout). */
export function setLanguage(next: Language, remember = true): void {
  current = next;
  if (remember) localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
  document.documentElement.dir = next === "ar" ? "rtl" : "ltr";
}

/** The message ``key`` in the current language with ``values`` put in, numbers written the
locale's way; a message with a count takes the plural form the language's rules choose. */
export function t(key: MessageKey, values: Record<string, string | number> = {}): string {
  const message = CATALOGS[current][key] ?? en[key];
  return template(message, locale(), values).replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : typeof value === "number" ? formatNumber(value) : value;
  });
}

/** The best name of a thing named in several languages: ours, then French, then any. */
export function localized(names: Record<string, string> | null | undefined): string {
  if (!names) return "";
  return names[current] ?? names["fr"] ?? names["en"] ?? Object.values(names)[0] ?? "";
}

/** Which language ``localized`` picked, for a ``lang`` attribute. */
export function localizedLanguage(names: Record<string, string> | null | undefined): string {
  if (!names) return current;
  for (const candidate of [current, "fr", "en"]) if (names[candidate]) return candidate;
  return Object.keys(names)[0] ?? current;
}

function locale(): string {
  // Moroccan Arabic conventions; Belgian French and Dutch.
  return { ar: "ar-MA", fr: "fr-BE", nl: "nl-BE", en: "en-GB" }[current];
}

export function formatNumber(value: number, digits = 0): string {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(value);
}

/** A percentage, whole, in the reader's digits: "100 %" says the work is done, so an
 *  unfinished 99.6 shows as 99, not rounded up. */
export function formatPercent(value: number): string {
  const shown = value > 99 && value < 100 ? 99 : value;
  return new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 0 }).format(
    shown / 100,
  );
}

/** The sexes a group's people are counted by: the women group counts women. */
export function sexesOf(group: string): readonly ("female" | "male")[] {
  return group === "women" ? ["female"] : ["female", "male"];
}

/** A group and a sex in the reader's words ("Jeunesse · femmes"); the women group's women are
 *  "Femmes", not "Femmes · femmes". */
export function groupAndSex(group: string | null | undefined, sex: string | null | undefined): string {
  const words = [group ? t(`group.${group}` as MessageKey) : null];
  if (sex && !(group === "women" && sex === "female")) words.push(t(`sex.${sex}` as MessageKey));
  return words.filter(Boolean).join(" · ");
}

/** A file's size in the reader's words and digits: bytes, kB or MB (of 1,024). */
export function formatSize(bytes: number): string {
  const [value, unit] = bytes < 1024 ? [bytes, "byte"] : bytes < 1024 * 1024 ? [bytes / 1024, "kilobyte"] : [bytes / (1024 * 1024), "megabyte"];
  return new Intl.NumberFormat(locale(), {
    style: "unit",
    unit,
    unitDisplay: "short",
    maximumFractionDigits: unit === "byte" || value >= 10 ? 0 : 1,
  }).format(value);
}

/** A calendar date (``YYYY-MM-DD``) in the reader's conventions, without time-zone drift. */
export function formatDate(iso: string): string {
  const [year, month, day] = iso.slice(0, 10).split("-").map(Number);
  if (!year || !month || !day) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeZone: "UTC" }).format(
    new Date(Date.UTC(year, month - 1, day)),
  );
}

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(date);
}

