import type { ProviderEvent, WireToolCallDelta } from './deepseek.types';

/** Thrown when the upstream's tool calls exceed what we agreed to hold; the client turns it into an upstream error. */
export class ToolCallLimitError extends Error {
  override name = 'ToolCallLimitError';
}

/** Function names as OpenAI-compatible APIs allow them; anything else is not a call we could know. */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

type Pending = { id: string; name: string; arguments: string };

/**
 * Joins the pieces of streamed tool calls: DeepSeek sends a call's id and name in its first piece and
 * its `arguments` JSON in further pieces, keyed by `index`. The calls are complete only when the choice
 * finishes; `complete()` hands them over then, in index order.
 */
export class ToolCallAssembler {
  private readonly calls = new Map<number, Pending>();

  constructor(private readonly limits: { maxToolArgumentBytes: number; maxToolCalls: number }) {}

  add(pieces: readonly WireToolCallDelta[]): void {
    for (const piece of pieces) {
      const index = typeof piece.index === 'number' && Number.isInteger(piece.index) ? piece.index : 0;
      let call = this.calls.get(index);
      if (!call) {
        if (this.calls.size >= this.limits.maxToolCalls) throw new ToolCallLimitError('too many tool calls');
        call = { id: '', name: '', arguments: '' };
        this.calls.set(index, call);
      }
      if (typeof piece.id === 'string' && piece.id !== '') call.id = piece.id;
      const name = piece.function?.name;
      if (typeof name === 'string' && name !== '') call.name = name.slice(0, 65);
      const args = piece.function?.arguments;
      if (typeof args === 'string') {
        call.arguments += args;
        // UTF-8 never takes fewer bytes than UTF-16 code units: over in units is over in bytes.
        if (call.arguments.length > this.limits.maxToolArgumentBytes)
          throw new ToolCallLimitError('arguments too long');
      }
    }
  }

  /** The calls gathered so far, as events; a call without a valid name is dropped (nothing could run it). */
  complete(): ProviderEvent[] {
    const events: ProviderEvent[] = [];
    for (const [index, call] of [...this.calls].sort(([a], [b]) => a - b)) {
      if (new TextEncoder().encode(call.arguments).length > this.limits.maxToolArgumentBytes) {
        throw new ToolCallLimitError('arguments too long');
      }
      if (!FUNCTION_NAME.test(call.name)) continue;
      events.push({ type: 'tool_call', id: call.id || `call_${index}`, name: call.name, arguments: call.arguments });
    }
    this.calls.clear();
    return events;
  }
}
