import { AppError } from '../../lib/errors';

/**
 * A streaming reader for a `multipart/form-data` body holding exactly one file part, named `file`.
 * The body is never buffered whole: the file's bytes are handed on as they arrive, so the size cap
 * and the content checks stop a bad upload at the byte that makes it bad. Other fields are refused
 * (nothing here needs them, and each would be another unbounded input).
 */

const CRLF = new Uint8Array([13, 10]);
const MAX_HEADER_BYTES = 8 * 1024;

export type FilePartHead = { fieldName: string; filename: string | undefined; contentType: string };

const invalid = (message: string) => new AppError(400, 'INVALID_UPLOAD', message);

/** The boundary of a `multipart/form-data` content type, or undefined for any other type. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const [type, ...params] = contentType.split(';');
  if (type?.trim().toLowerCase() !== 'multipart/form-data') return undefined;
  for (const param of params) {
    const match = /^\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^\s";]{1,70}))\s*$/i.exec(param);
    if (match) return match[1] ?? match[2];
  }
  return undefined;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0] as number;
  const last = haystack.length - needle.length;
  for (let i = haystack.indexOf(first, from); i !== -1 && i <= last; i = haystack.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** `name="value"` and `name=value` parameters of a header value (quoted-string escapes honoured). */
function headerParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  const pattern = /;\s*([A-Za-z0-9*_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const match of value.matchAll(pattern)) {
    const raw = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? '').trim();
    params.set((match[1] as string).toLowerCase(), raw);
  }
  return params;
}

/**
 * Reads the single `file` part of a multipart body and passes its bytes to `onData` as they stream.
 * `onHead` sees the part's headers before any of its bytes, so a bad name or type is refused without
 * reading the file. Throws 400 INVALID_UPLOAD for anything that is not exactly one well-formed file part.
 */
export async function readSingleFilePart(
  body: ReadableStream<Uint8Array>,
  boundary: string,
  onHead: (head: FilePartHead) => void | Promise<void>,
  onData: (chunk: Uint8Array) => void | Promise<void>,
): Promise<void> {
  const encoder = new TextEncoder();
  const opening = encoder.encode(`--${boundary}`);
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  const reader = body.getReader();
  let buffer: Uint8Array = new Uint8Array(0);
  let ended = false;

  const pull = async (): Promise<boolean> => {
    if (ended) return false;
    const { value, done } = await reader.read();
    if (done) {
      ended = true;
      return false;
    }
    buffer = concat(buffer, value);
    return true;
  };

  try {
    // Preamble, then the first boundary line.
    let start = indexOf(buffer, opening);
    while (start === -1) {
      if (buffer.length > MAX_HEADER_BYTES) throw invalid('The upload is not multipart/form-data.');
      if (!(await pull())) throw invalid('The upload is not multipart/form-data.');
      start = indexOf(buffer, opening);
    }
    buffer = buffer.subarray(start + opening.length);

    // After a boundary: CRLF and a part's headers, or "--" for the end.
    while (buffer.length < 2 && (await pull()));
    if (buffer[0] !== CRLF[0] || buffer[1] !== CRLF[1]) throw invalid('The upload holds no file.');
    buffer = buffer.subarray(2);

    const headerEnd = encoder.encode('\r\n\r\n');
    let end = indexOf(buffer, headerEnd);
    while (end === -1) {
      if (buffer.length > MAX_HEADER_BYTES) throw invalid('The file part has oversized headers.');
      if (!(await pull())) throw invalid('The upload ended inside the file part headers.');
      end = indexOf(buffer, headerEnd);
    }
    const head = parseHead(new TextDecoder().decode(buffer.subarray(0, end)));
    buffer = buffer.subarray(end + headerEnd.length);
    if (head.fieldName !== 'file' || head.filename === undefined) {
      throw invalid('Send exactly one form field, "file", holding the document.');
    }
    await onHead(head);

    // The part's bytes, up to the next delimiter; only a delimiter-sized tail is ever held back.
    for (;;) {
      const at = indexOf(buffer, delimiter);
      if (at !== -1) {
        if (at > 0) await onData(buffer.slice(0, at));
        buffer = buffer.subarray(at + delimiter.length);
        break;
      }
      const safe = buffer.length - (delimiter.length - 1);
      if (safe > 0) {
        await onData(buffer.slice(0, safe));
        buffer = buffer.subarray(safe);
      }
      if (!(await pull())) throw invalid('The upload ended before the file did.');
    }

    while (buffer.length < 2 && (await pull()));
    if (buffer[0] !== 45 || buffer[1] !== 45) {
      throw invalid('Send exactly one form field, "file", holding the document.');
    }
  } finally {
    // Whatever follows the closing boundary (an epilogue) is not read; a refused upload stops here too.
    await reader.cancel().catch(() => undefined);
  }
}

function parseHead(text: string): FilePartHead {
  let disposition: string | undefined;
  let contentType = '';
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw invalid('The file part has a malformed header.');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-disposition') disposition = value;
    else if (name === 'content-type') contentType = value.split(';')[0]?.trim().toLowerCase() ?? '';
  }
  if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) {
    throw invalid('The file part has no form-data disposition.');
  }
  const params = headerParams(disposition.slice(disposition.indexOf(';') === -1 ? 0 : disposition.indexOf(';')));
  return { fieldName: params.get('name') ?? '', filename: params.get('filename'), contentType };
}
