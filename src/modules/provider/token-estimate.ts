/** ASCII pieces a BPE tokenizer rarely merges across: letter runs, digit groups (≤ 3), single symbols. */
const asciiPieces = /[A-Za-z]+|[0-9]{1,3}|[!-/:-@[-`{-~]/g;

/**
 * A token count that errs high, never low: it trims history to a budget and bills a stream that ended
 * before DeepSeek reported usage. DeepSeek documents ~0.3 token per English character and ~0.6 per
 * Chinese one, so: ASCII as the larger of a third of its characters and its unmergeable pieces; every
 * other character (CJK, kana, Hangul, accents) one token; characters outside the BMP (emoji) two.
 */
export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  let asciiChars = 0;
  let other = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x80) asciiChars++;
    else other += code > 0xffff ? 2 : 1;
  }
  const pieces = text.match(asciiPieces)?.length ?? 0;
  return Math.max(1, Math.max(Math.ceil(asciiChars / 3), pieces) + other);
}
