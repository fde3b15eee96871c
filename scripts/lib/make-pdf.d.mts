export function makePdf(spec: { pages: string[][]; javascript?: string; trailer?: string }): Uint8Array;
export function makeTextPdf(pages: number, charsPerPage: number, seed?: number): Uint8Array;
