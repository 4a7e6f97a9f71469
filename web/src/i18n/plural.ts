/** Messages whose words follow a number: each language has its own plural forms
(Arabic six, French counting 0 as one, Dutch and English one and other), and picks one by
its own rules through Intl.PluralRules. */

/** A message in several forms, one per plural category the language uses. */
export interface Plural {
  /** The value whose number picks the form: each language agrees its words with the number
  it names, which is not always the same one ("3 of 10 partnerships" against "3 partenariats sur 10"). */
  readonly by: string;
  readonly zero?: string;
  readonly one?: string;
  readonly two?: string;
  readonly few?: string;
  readonly many?: string;
  readonly other: string;
}

export type Message = string | Plural;

const rules = new Map<string, Intl.PluralRules>();

function rulesFor(locale: string): Intl.PluralRules {
  let found = rules.get(locale);
  if (!found) {
    found = new Intl.PluralRules(locale);
    rules.set(locale, found);
  }
  return found;
}

/** The template of ``message`` for these values: the form the language's rules choose for
the number named by ``by``, else its ``other`` form. */
export function template(message: Message, locale: string, values: Record<string, string | number>): string {
  if (typeof message === "string") return message;
  const count = values[message.by];
  if (typeof count !== "number") return message.other;
  return message[rulesFor(locale).select(count)] ?? message.other;
}
