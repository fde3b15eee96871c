import { getConfig } from './config';
import { LiveChannelObject } from './modules/handoff/live/live-channel';

/** The live channel Durable Object as deployed: it reads the Worker's configuration. */
export class LiveChannel extends LiveChannelObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, getConfig);
  }
}
