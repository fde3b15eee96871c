/**
 * Entries are written by moderators and messages by customers: neither may close its fence, open a
 * reference block of its own, or speak as us. Angle brackets become look-alikes the model still reads.
 */
export const fenced = (text: string) => text.replaceAll('<', '‹').replaceAll('>', '›');
