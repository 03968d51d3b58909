import { Injectable } from '@nestjs/common';
import { hashToken } from './auth.service';
import { browserSummary } from './browser-summary';
import { SessionNotFoundError } from './errors';
import { SessionsRepository } from './sessions.repository';

export interface SessionView {
  id: number;
  createdAt: string;
  lastSeenAt: string;
  /** "Firefox on Linux", from the user agent; "Unknown browser" when it says nothing useful. */
  browser: string;
  ip: string | null;
  /** The session of the browser asking. */
  current: boolean;
}

/** A user's own sessions: what is signed in where, and signing any of them out. */
@Injectable()
export class UserSessionsService {
  constructor(private readonly sessions: SessionsRepository) {}

  /** The user's live sessions; `currentToken` marks the asking browser's. */
  async list(userId: number, currentToken: string | undefined): Promise<SessionView[]> {
    const current = currentToken ? hashToken(currentToken) : null;
    const rows = await this.sessions.listLive(userId);
    return rows.map((s) => ({
      id: s.id,
      createdAt: s.createdAt.toISOString(),
      lastSeenAt: (s.lastSeenAt ?? s.createdAt).toISOString(),
      browser: browserSummary(s.userAgent),
      ip: s.ip,
      current: s.tokenHash === current,
    }));
  }

  /** Signs out one of the user's sessions; another user's or an ended one is SessionNotFoundError. */
  async revoke(userId: number, sessionId: number): Promise<void> {
    if (!(await this.sessions.revokeOne(userId, sessionId))) throw new SessionNotFoundError();
  }

  /** Signs out every session of the user but the asking one; returns how many. */
  revokeOthers(userId: number, currentToken: string): Promise<number> {
    return this.sessions.revokeAllExcept(userId, hashToken(currentToken));
  }
}
