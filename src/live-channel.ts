import { getConfig } from './config';
import { handoffContextFromEnv } from './modules/handoff/handoff.context';
import { LiveChannelObject } from './modules/handoff/live/live-channel';

/** The live channel Durable Object as deployed: its handoff work reads the Worker's configuration. */
export class LiveChannel extends LiveChannelObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, (waitUntil) => handoffContextFromEnv(env, getConfig(env), waitUntil));
  }
}
