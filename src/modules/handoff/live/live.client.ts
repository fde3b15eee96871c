import { errorDetail } from '../../../lib/error-detail';
import { log } from '../../../lib/logger';
import type { LiveEventBody } from '../handoff.types';
import type { LiveChannelObject } from './live-channel';

export type LiveChannels = DurableObjectNamespace<LiveChannelObject>;

/** The operators' inbox channel: new waiting conversations, claims, resolutions. */
export const INBOX_CHANNEL = 'inbox';
const CONVERSATION_PREFIX = 'conversation:';
export const conversationChannel = (conversationId: string) => `${CONVERSATION_PREFIX}${conversationId}`;
/** The conversation a channel name belongs to; undefined for the inbox. */
export const conversationIdOf = (channel: string) =>
  channel.startsWith(CONVERSATION_PREFIX) ? channel.slice(CONVERSATION_PREFIX.length) : undefined;

export const liveChannel = (channels: LiveChannels, name: string) => channels.get(channels.idFromName(name));

/**
 * Publishes after the D1 write committed. A failure is logged, not thrown: the change is stored, and
 * clients see it when they next load the conversation or the inbox.
 */
export async function publishLive(channels: LiveChannels, name: string, event: LiveEventBody, requestId?: string) {
  try {
    await liveChannel(channels, name).publish(event);
  } catch (error) {
    log('error', 'live event not delivered; clients see it on their next load', {
      requestId,
      channel: name.split(':')[0],
      ...errorDetail(error),
    });
  }
}
