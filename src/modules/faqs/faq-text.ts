/**
 * Text handling shared by search and the chat's FAQ matcher: splitting text into words the way
 * FTS5's unicode61 tokenizer does, dropping words that carry no topic, and turning the rest into an
 * FTS5 query that user input can never break out of.
 */

/** Function words, greetings and filler verbs: they say nothing about which FAQ a message is about. */
const STOP_WORDS = new Set(
  `a about after all also am an and any anyone anything are as at be been before being but by can cannot could
  did didn do does doesn doing don done for from get gets getting got had has have having hello hey hi how i if im
  happen happens in into is isn it its itll ive just know let like make me much my need no not of off ok okay on or our
  out please really should so some someone something still take takes than thank thanks that the their them then there
  these they this those to too up us use was wasn way we were what when where which who why will with won would you
  your yours`
    .split(/\s+/)
    .filter(Boolean),
);

/**
 * Everyday words customers use for what the knowledge base words differently. Applied to messages
 * only (never to stored text), so adding a line here cannot change what an FAQ entry contains.
 * "when" is a stop word on its own but asks for a time, which the FAQs call hours ("how long" too).
 */
const EXPANSIONS: Readonly<Record<string, readonly string[]>> = {
  when: ['hours'],
  long: ['hours'],
  where: ['track'],
  much: ['cost', 'fee'],
  pay: ['payment'],
  paying: ['payment'],
  time: ['hours'],
  times: ['hours'],
  open: ['hours'],
  broken: ['damaged'],
  cracked: ['damaged', 'broken'],
  smashed: ['damaged', 'broken'],
  spoiled: ['damaged'],
  rotten: ['damaged'],
  price: ['cost', 'fee'],
  prices: ['cost', 'fee'],
  charge: ['cost', 'fee'],
  fees: ['cost'],
  coupon: ['promo', 'code'],
  voucher: ['promo', 'code'],
  money: ['refund'],
  reimburse: ['refund'],
  erase: ['delete'],
  remove: ['delete'],
  phone: ['contact', 'support'],
  call: ['contact', 'support'],
  email: ['contact', 'support'],
  human: ['contact', 'support'],
  agent: ['contact', 'support'],
};

/** At most this many terms reach FTS5: bounds query cost whatever the input length. */
export const MAX_QUERY_TERMS = 16;
/** Shorter terms are matched exactly; longer ones also as a prefix ("deliver" finds "delivery"). */
const PREFIX_MIN_LENGTH = 4;

/** Lowercase, accent-free runs of letters and digits: the same words unicode61 indexes. */
export function tokenize(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

const isSignificant = (word: string) => word.length >= 2 && !STOP_WORDS.has(word);

/** The distinct topic words of `text`, in order of appearance. */
export function significantTerms(text: string): string[] {
  return [...new Set(tokenize(text).filter(isSignificant))];
}

export const expansionsOf = (word: string): readonly string[] => EXPANSIONS[word] ?? [];

export type MessageTerms = {
  /** Distinct significant terms of the message. */
  terms: string[];
  /** Extra words its expansions add (from any word, stop words included: "when" → "hours"). */
  expanded: string[];
};

export function messageTerms(text: string): MessageTerms {
  const words = tokenize(text);
  const terms = [...new Set(words.filter(isSignificant))];
  const expanded = [...new Set(words.flatMap(expansionsOf))].filter((w) => !terms.includes(w));
  return { terms, expanded };
}

/**
 * An FTS5 query that ORs the terms. Each term is an FTS5 string ("…" with inner quotes doubled), so
 * words such as NEAR, AND, OR, NOT and characters such as * - : ^ ( ) are searched for, never obeyed.
 * Returns null when there is nothing to search for. Without `prefixes`, every term is matched exactly
 * (after Porter stemming): over a large index each prefix expands to many terms.
 */
export function toFtsQuery(terms: readonly string[], { prefixes = true }: { prefixes?: boolean } = {}): string | null {
  const phrases = queryPhrases(terms);
  if (phrases.length === 0) return null;
  return phrases
    .map(({ text, prefix }) => `"${text.replaceAll('"', '""')}"${prefix && prefixes ? '*' : ''}`)
    .join(' OR ');
}

/**
 * What a search for `terms` asks for, one phrase per term (duplicates kept, as FTS5 keeps them): the
 * first MAX_QUERY_TERMS, each matched exactly or, from PREFIX_MIN_LENGTH characters on, also as a
 * prefix. `toFtsQuery` and the in-memory index (faq-index.ts) both read it, so they cannot disagree.
 */
export function queryPhrases(terms: readonly string[]): { text: string; prefix: boolean }[] {
  return terms.slice(0, MAX_QUERY_TERMS).map((text) => ({ text, prefix: [...text].length >= PREFIX_MIN_LENGTH }));
}

/**
 * A light English stemmer for comparing words in JavaScript (FTS5 stems with Porter inside SQLite,
 * which we cannot call from here). It only needs to agree on the plurals and tenses customers use.
 */
export function stem(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && /(ss|x|z|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !/(ss|us|is)$/.test(word)) return word.slice(0, -1);
  if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith('ed')) return word.slice(0, -2);
  return word;
}

/**
 * Whether two words name the same thing: equal stems, or one stem (≥ 4 letters) a short prefix of the
 * other ("deliver"/"delivery", "cancel"/"cancelled").
 */
export function sameWord(a: string, b: string): boolean {
  const [x, y] = [stem(a), stem(b)].sort((p, q) => p.length - q.length) as [string, string];
  if (x === y) return true;
  return x.length >= PREFIX_MIN_LENGTH && y.startsWith(x) && y.length - x.length <= 3;
}
