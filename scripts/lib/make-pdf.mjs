// @ts-check
// Writes small, valid PDFs for tests, browser tests and benchmarks: pages of Helvetica text, and on
// request the things uploads must refuse (a document-level script, an appended file). Pure JavaScript
// with no Node imports, so workerd tests can use it too.

/** @param {string} text */
const pdfString = (text) => text.replace(/[\\()]/g, (ch) => `\\${ch}`).replace(/[^\x20-\x7e]/g, '?');

/**
 * @param {{ pages: string[][], javascript?: string, trailer?: string }} spec
 *   pages: the lines of each page; javascript: an OpenAction script; trailer: bytes after %%EOF
 * @returns {Uint8Array}
 */
export function makePdf({ pages, javascript, trailer }) {
  /** @type {string[]} */
  const objects = [];
  const add = (/** @type {string} */ body) => {
    objects.push(body);
    return objects.length;
  };
  const catalog = add('');
  const pagesRef = add('');
  const font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  /** @type {number[]} */
  const kids = [];
  for (const lines of pages) {
    const ops = ['BT', '/F1 11 Tf', '14 TL', '56 800 Td', ...lines.map((line) => `(${pdfString(line)}) Tj T*`), 'ET'];
    const stream = ops.join('\n');
    const content = add(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
    kids.push(
      add(
        `<< /Type /Page /Parent ${pagesRef} 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${content} 0 R >>`,
      ),
    );
  }
  objects[pagesRef - 1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`;
  const action = javascript ? add(`<< /Type /Action /S /JavaScript /JS (${pdfString(javascript)}) >>`) : 0;
  objects[catalog - 1] = `<< /Type /Catalog /Pages ${pagesRef} 0 R${action ? ` /OpenAction ${action} 0 R` : ''} >>`;

  let out = '%PDF-1.4\n';
  /** @type {number[]} */
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  if (trailer) out += trailer;
  return new TextEncoder().encode(out);
}

/**
 * A PDF of `pages` pages, each about `charsPerPage` characters of varied English-like text, for
 * benchmarks and cap tests.
 * @param {number} pages @param {number} charsPerPage @param {number} [seed]
 */
export function makeTextPdf(pages, charsPerPage, seed = 1) {
  const words = [
    'delivery',
    'refund',
    'order',
    'basket',
    'policy',
    'warehouse',
    'courier',
    'invoice',
    'account',
    'voucher',
    'fresh',
    'frozen',
    'return',
    'within',
    'days',
    'customer',
    'support',
    'the',
    'and',
    'for',
    'with',
    'our',
  ];
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state;
  };
  return makePdf({
    pages: Array.from({ length: pages }, (_, p) => {
      const lines = [];
      let size = 0;
      while (size < charsPerPage) {
        const line = Array.from({ length: 12 }, () => words[next() % words.length]).join(' ');
        lines.push(`${p + 1}. ${line}.`);
        size += line.length + 6;
      }
      return lines;
    }),
  });
}
