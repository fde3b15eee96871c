import { log } from '../../lib/logger';

/**
 * The document search may hold the first token back by at most `graceMs` past everything else the turn
 * waits for (admission, history, FAQ): a search still running then is left behind and the answer is
 * grounded on the FAQ alone. It keeps the chat's latency bounded however large the corpus grows.
 */
export async function withinGrace<T>(search: Promise<T[]>, graceMs: number, requestId: string): Promise<T[]> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<T[]>((resolve) => {
    timer = setTimeout(() => {
      log('info', 'document search over its grace, answering without documents', { requestId, graceMs });
      resolve([]);
    }, graceMs);
  });
  try {
    return await Promise.race([search, late]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
