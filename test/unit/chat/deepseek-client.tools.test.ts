import { describe, expect, it, vi } from 'vitest';
import {
  cannedAnswer,
  cannedSummary,
  handoffPreamble,
  handoffReason,
  UNKNOWN_TOOL,
} from '../../../scripts/fake-deepseek/handler.mjs';
import { streamChatCompletion } from '../../../src/modules/provider/deepseek.client';
import type { ToolDefinition } from '../../../src/modules/provider/deepseek.types';
import { defaultStreamLimits } from '../../../src/modules/provider/stream-limits';
import { collectCompletion } from '../../helpers/collect-completion';
import { chatOptions, drain, FAKE_BASE_URL, sseFrames, startFake, textOf } from '../../helpers/fake-deepseek';

const handoffTool: ToolDefinition = {
  type: 'function',
  function: {
    name: 'handoff_to_human',
    description: 'Hand the conversation to a person.',
    parameters: { type: 'object', properties: { reason: { type: 'string' } }, required: ['reason'] },
  },
};

const withTools = (fake: ReturnType<typeof startFake>, message: string, extra: Record<string, unknown> = {}) => {
  const options = chatOptions(fake, message);
  Object.assign(options.body, { tools: [handoffTool], tool_choice: 'auto', ...extra });
  return options;
};

const encoder = new TextEncoder();
const sse = { headers: { 'content-type': 'text/event-stream' } };

/** An upstream that answers with exactly these chunks, then `[DONE]`. */
const scripted = (chunks: object[]) => async () =>
  new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`));
        controller.enqueue(encoder.encode('data: [DONE]\n\n'));
        controller.close();
      },
    }),
    sse,
  );

const piece = (toolCall: object, finish: string | null = null) => ({
  choices: [{ index: 0, delta: { tool_calls: [toolCall] }, finish_reason: finish }],
});

function post(body: unknown): Request {
  return new Request(`${FAKE_BASE_URL}/chat/completions`, {
    method: 'POST',
    headers: { Authorization: 'Bearer sk-any', 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('streamChatCompletion: function calling', () => {
  it('joins a tool call streamed in pieces into one event, before usage and finish "tool_calls"', async () => {
    const fake = startFake();
    const { events } = await drain(await streamChatCompletion(withTools(fake, 'Can I talk to a person please?')));
    expect(textOf(events)).toBe(handoffPreamble);
    const calls = events.filter((e) => e.type === 'tool_call');
    expect(calls).toEqual([
      {
        type: 'tool_call',
        id: expect.stringMatching(/^call_/),
        name: 'handoff_to_human',
        arguments: expect.any(String),
      },
    ]);
    const call = calls[0] as { arguments: string };
    expect(JSON.parse(call.arguments)).toEqual({ reason: handoffReason });
    expect(events.slice(-2).map((e) => e.type)).toEqual(['usage', 'finish']);
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'tool_calls' });
    expect(events.findIndex((e) => e.type === 'tool_call')).toBeLessThan(events.findIndex((e) => e.type === 'usage'));
  });

  it('sends the offered tools upstream as DeepSeek expects them', async () => {
    const fake = startFake();
    await drain(await streamChatCompletion(withTools(fake, 'hello')));
    expect(fake.stats.lastRequest?.body).toMatchObject({
      tools: [handoffTool],
      tool_choice: 'auto',
      thinking: { type: 'disabled' },
    });
  });

  it('the fake streams the arguments over several chunks, with the id and name only in the first', async () => {
    const fake = startFake();
    const request = post({
      model: 'deepseek-flash',
      thinking: { type: 'disabled' },
      stream: true,
      messages: [{ role: 'user', content: 'I want a human' }],
      tools: [handoffTool],
    });
    const frames = await sseFrames(await fake.fetch(request));
    const pieces = frames
      .filter((f) => f.includes('tool_calls'))
      .map((f) => JSON.parse(f.slice(6)) as { choices: [{ delta: { tool_calls?: object[] }; finish_reason: string }] })
      .filter((c) => c.choices[0].delta.tool_calls);
    expect(pieces.length).toBeGreaterThanOrEqual(3);
    expect(pieces[0]?.choices[0].delta.tool_calls?.[0]).toMatchObject({
      index: 0,
      type: 'function',
      function: { name: 'handoff_to_human', arguments: '' },
    });
    expect(pieces[1]?.choices[0].delta.tool_calls?.[0]).not.toHaveProperty('id');
    expect(frames.at(-2)).toContain('"finish_reason":"tool_calls"');
    expect(frames.at(-1)).toBe('data: [DONE]');
  });

  it('answers normally when the tool is not offered, or tool_choice is "none", whatever the customer says', async () => {
    const message = 'Let me talk to a person';
    const plain = await collectCompletion(await streamChatCompletion(chatOptions(startFake(), message)));
    expect(plain).toMatchObject({ text: cannedAnswer(message), finishReason: 'stop', toolCalls: [] });
    const none = await collectCompletion(
      await streamChatCompletion(withTools(startFake(), message, { tool_choice: 'none' })),
    );
    expect(none).toMatchObject({ text: cannedAnswer(message), finishReason: 'stop', toolCalls: [] });
  });

  it('reports a call to a function that was not offered as it came (the caller decides to ignore it)', async () => {
    const answer = await collectCompletion(await streamChatCompletion(withTools(startFake(), 'hi [fake:handoff=2]')));
    expect(answer.toolCalls.map((c) => c.name)).toEqual([UNKNOWN_TOOL]);
    expect(answer.finishReason).toBe('tool_calls');
  });

  it('ends with UPSTREAM_ERROR when a call’s arguments exceed the cap', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const limits = { ...defaultStreamLimits, maxToolArgumentBytes: 16 };
    const { events, error } = await drain(
      await streamChatCompletion({ ...withTools(startFake(), 'a human please'), limits }),
    );
    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', status: 502 });
    expect(events.some((e) => e.type === 'tool_call')).toBe(false);
  });

  it('counts the cap in UTF-8 bytes: 4 KiB of two-byte characters is over even at half the characters', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const big = JSON.stringify({ reason: 'é'.repeat(2100) });
    expect(big.length).toBeLessThan(4096);
    const fetch = scripted([
      piece({ index: 0, id: 'call_1', type: 'function', function: { name: 'handoff_to_human', arguments: '' } }),
      piece({ index: 0, function: { arguments: big } }, 'tool_calls'),
    ]);
    const { events, error } = await drain(await streamChatCompletion(chatOptions(startFake(), 'hi', { fetch })));
    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR' });
    expect(events).toEqual([]);
  });

  it('keeps several calls apart by index and hands them over in index order', async () => {
    const fetch = scripted([
      piece({ index: 1, id: 'call_b', type: 'function', function: { name: 'second', arguments: '{"a"' } }),
      piece({ index: 0, id: 'call_a', type: 'function', function: { name: 'first', arguments: '{}' } }),
      piece({ index: 1, function: { arguments: ':1}' } }, 'tool_calls'),
    ]);
    const answer = await collectCompletion(await streamChatCompletion(chatOptions(startFake(), 'hi', { fetch })));
    expect(answer.toolCalls).toEqual([
      { id: 'call_a', name: 'first', arguments: '{}' },
      { id: 'call_b', name: 'second', arguments: '{"a":1}' },
    ]);
  });

  it('drops a call whose stream was cut before it finished', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const fetch = async () =>
      new Response(
        `data: ${JSON.stringify(piece({ index: 0, id: 'c', type: 'function', function: { name: 'handoff_to_human', arguments: '{' } }))}\n\n`,
        sse,
      );
    const { events, error } = await drain(await streamChatCompletion(chatOptions(startFake(), 'hi', { fetch })));
    expect(events).toEqual([]);
    expect(error).toMatchObject({ code: 'UPSTREAM_STREAM_CUT' });
  });

  it('refuses to offer tools to a thinking model (its tool turns would need their reasoning sent back)', async () => {
    const options = withTools(startFake(), 'hi');
    options.body.thinking = { enabled: true, effort: 'high' };
    await expect(streamChatCompletion(options)).rejects.toThrow(TypeError);
  });
});

describe('the fake DeepSeek and tools', () => {
  it('like DeepSeek, accepts tools with thinking on: reasoning first, then the call', async () => {
    const fake = startFake();
    const frames = await sseFrames(
      await fake.fetch(
        post({
          model: 'deepseek-flash',
          stream: true,
          messages: [{ role: 'user', content: 'agent' }],
          tools: [handoffTool],
        }),
      ),
    );
    const reasoningAt = frames.findIndex((f) => f.includes('"reasoning_content":"The'));
    const callAt = frames.findIndex((f) => f.includes('handoff_to_human'));
    expect(reasoningAt).toBeGreaterThan(0);
    expect(callAt).toBeGreaterThan(reasoningAt);
  });

  it('answers 400 when a thinking request leaves out the reasoning of an earlier tool-call turn', async () => {
    const messages = [
      { role: 'user', content: 'I want a person' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'handoff_to_human', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'done' },
      { role: 'user', content: 'thanks' },
    ];
    const fake = startFake();
    const refused = await fake.fetch(post({ model: 'deepseek-flash', messages, tools: [handoffTool] }));
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
      'Missing `reasoning_content` field in the assistant message at message index 1',
    );
    const disabled = await fake.fetch(
      post({ model: 'deepseek-flash', thinking: { type: 'disabled' }, messages, tools: [handoffTool] }),
    );
    expect(disabled.status).toBe(200);
  });

  it('refuses malformed tools and a tool_choice naming a function it was not given', async () => {
    const fake = startFake();
    const base = { model: 'deepseek-flash', messages: [{ role: 'user', content: 'hi' }] };
    expect((await fake.fetch(post({ ...base, tools: [{ type: 'retrieval' }] }))).status).toBe(422);
    expect((await fake.fetch(post({ ...base, tools: [{ type: 'function', function: { name: 'a b' } }] }))).status).toBe(
      422,
    );
    const named = { type: 'function', function: { name: 'other' } };
    expect((await fake.fetch(post({ ...base, tools: [handoffTool], tool_choice: named }))).status).toBe(400);
    expect((await fake.fetch(post({ ...base, tool_choice: 'auto' }))).status).toBe(400);
  });

  it('puts a non-streamed call whole in the message, with finish_reason "tool_calls"', async () => {
    const fake = startFake();
    const response = await fake.fetch(
      post({
        model: 'deepseek-flash',
        thinking: { type: 'disabled' },
        messages: [{ role: 'user', content: 'Can I talk to a person?' }],
        tools: [handoffTool],
      }),
    );
    const body = (await response.json()) as {
      choices: [{ message: { content: string; tool_calls: object[] }; finish_reason: string }];
    };
    expect(body.choices[0].finish_reason).toBe('tool_calls');
    expect(body.choices[0].message.content).toBe(handoffPreamble);
    expect(body.choices[0].message.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^call_/),
        type: 'function',
        function: { name: 'handoff_to_human', arguments: JSON.stringify({ reason: handoffReason }) },
      },
    ]);
  });

  it('answers a summary request (a <transcript>) with its canned summary', async () => {
    const transcript = '<transcript>\n<customer>\nMy parcel is late\n</customer>\n</transcript>';
    const answer = await collectCompletion(await streamChatCompletion(chatOptions(startFake(), transcript)));
    expect(answer.text).toBe(cannedSummary(transcript));
    expect(answer.text).toContain('My parcel is late');
  });
});
