/**
 * A user's live socket as their admission object remembers it: which channel, opened for which
 * session and token version, and how to judge that session again (the windows the account check needs).
 */
export type LiveSession = {
  userId: string;
  /** The channel's Durable Object name (opaque here: admission knows no channel kinds). */
  channel: string;
  sessionId: string;
  tokenVersion: number;
  accountMaxAgeMs: number;
  sessionWindowMs: number;
};

type Store = Pick<DurableObjectStorage, 'put' | 'delete' | 'list'>;

const PREFIX = 'live:';
const keyOf = (s: Pick<LiveSession, 'channel' | 'sessionId' | 'tokenVersion'>) =>
  `${PREFIX}${s.sessionId}|${s.tokenVersion}|${s.channel}`;

/**
 * The channels a user has live sockets on, one record per (channel, session, token version): recorded
 * when a socket is accepted, forgotten when the channel's last such socket closes. A record left behind
 * (a channel that crashed before telling us) costs one needless `closeFor` on the next account change.
 */
export class LiveSessions {
  constructor(private readonly store: Store) {}

  remember(session: LiveSession): Promise<void> {
    return this.store.put(keyOf(session), session);
  }

  async forget(session: Pick<LiveSession, 'channel' | 'sessionId' | 'tokenVersion'>): Promise<void> {
    await this.store.delete(keyOf(session));
  }

  async all(): Promise<LiveSession[]> {
    return [...(await this.store.list<LiveSession>({ prefix: PREFIX })).values()];
  }
}
