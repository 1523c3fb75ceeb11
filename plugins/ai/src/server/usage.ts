import { Op, fn, col, newId, type PluginContext } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';
import type { AiModels, UsageRow } from './models.js';
import type { AiOptions } from './settings.js';

export interface AiStats { answers: number; resolved: number; handedOff: number; helpful: number; notHelpful: number; promptTokens: number; completionTokens: number }

/** Conversations looked at for "resolved without an agent" per stats request. */
const MAX_RESOLVED_SCAN = 2000;

const monthStart = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));

/**
 * Usage per account: every AI call is a row with its tokens. The monthly token budget
 * and the per-minute rate come from the plan's entitlements (`aiTokensPerMonth`,
 * `aiAnswersPerMinute`: a number; not listed = no budget, and the operator's
 * `AI_ANSWERS_PER_MINUTE` for the rate).
 */
export class Usage {
  constructor(private readonly ctx: PluginContext, private readonly models: AiModels, private readonly options: AiOptions) {}

  private get now(): Date {
    return this.ctx.container.cradle.clock.now();
  }

  async record(accountId: string, row: Pick<UsageRow, 'kind'> & Partial<Pick<UsageRow, 'conversationId' | 'reason' | 'promptTokens' | 'completionTokens'>>): Promise<void> {
    await this.ctx.db.scope(accountId).create(this.models.Usage, {
      id: newId(), kind: row.kind, conversationId: row.conversationId ?? null, reason: row.reason ?? null,
      promptTokens: row.promptTokens ?? 0, completionTokens: row.completionTokens ?? 0,
    });
  }

  /** Null when the account may make another call; else what stops it. */
  async refusal(accountId: string): Promise<'budget' | 'rate' | null> {
    const e = await this.ctx.entitlements.for(accountId);
    const scope = this.ctx.db.scope(accountId);
    const budget = e.entitlements.aiTokensPerMonth;
    if (typeof budget === 'number' || budget === false) {
      const limit = budget === false ? 0 : budget;
      const [row] = await scope.findAll(this.models.Usage, {
        attributes: [[fn('SUM', col('prompt_tokens')), 'p'], [fn('SUM', col('completion_tokens')), 'c']],
        where: { createdAt: { [Op.gte]: monthStart(this.now) } } as never, raw: true,
      }) as unknown as Array<{ p: number | string | null; c: number | string | null }>;
      if (Number(row?.p ?? 0) + Number(row?.c ?? 0) >= limit) return 'budget';
    }
    const rate = typeof e.entitlements.aiAnswersPerMinute === 'number' ? e.entitlements.aiAnswersPerMinute : this.options.answersPerMinute;
    const lastMinute = await scope.count(this.models.Usage, { where: { createdAt: { [Op.gte]: new Date(this.now.getTime() - 60_000) } } as never });
    return lastMinute >= rate ? 'rate' : null;
  }

  /** Answers, hand-offs, feedback and tokens between `from` and `to`. */
  async stats(accountId: string, from: Date, to: Date): Promise<AiStats> {
    const scope = this.ctx.db.scope(accountId);
    const range = { createdAt: { [Op.gte]: from, [Op.lt]: to } };
    const rows = await scope.findAll(this.models.Usage, {
      attributes: ['kind', [fn('COUNT', col('id')), 'n'], [fn('SUM', col('prompt_tokens')), 'p'], [fn('SUM', col('completion_tokens')), 'c']],
      where: range as never, group: ['kind'], raw: true,
    }) as unknown as Array<{ kind: string; n: number | string; p: number | string | null; c: number | string | null }>;
    const of = (kind: string) => Number(rows.find((r) => r.kind === kind)?.n ?? 0);
    const [helpful, notHelpful] = await Promise.all([true, false].map((h) => scope.count(this.models.Feedback, { where: { ...range, helpful: h } as never })));
    return {
      answers: of('answer'), handedOff: of('handoff'), resolved: await this.resolved(accountId, range), helpful, notHelpful,
      promptTokens: rows.reduce((n, r) => n + Number(r.p ?? 0), 0), completionTokens: rows.reduce((n, r) => n + Number(r.c ?? 0), 0),
    };
  }

  /** Conversations the AI answered that were never handed off and that no agent answered publicly. */
  private async resolved(accountId: string, range: Record<string, unknown>): Promise<number> {
    const scope = this.ctx.db.scope(accountId);
    const answered = await scope.findAll(this.models.Usage, { attributes: ['conversationId'], where: { ...range, kind: 'answer', conversationId: { [Op.ne]: null } } as never, group: ['conversationId'], limit: MAX_RESOLVED_SCAN, raw: true }) as unknown as Array<{ conversationId: string }>;
    const ids = answered.map((r) => r.conversationId);
    if (!ids.length) return 0;
    const handed = new Set((await scope.findAll(this.models.Usage, { attributes: ['conversationId'], where: { kind: 'handoff', conversationId: ids } as never, raw: true }) as unknown as Array<{ conversationId: string }>).map((r) => r.conversationId));
    const data = this.ctx.services.get(ConversationsData);
    let n = 0;
    for (const id of ids) {
      if (handed.has(id)) continue;
      if ((await data.messages.count(accountId, { conversationId: id, senderType: 'agent', private: false })) === 0) n++;
    }
    return n;
  }
}
