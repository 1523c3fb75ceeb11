import { Op, newId, type PluginContext } from '@charla/core';
import { KnowledgeBaseService } from '@charla/plugin-knowledge-base';
import { embed, type ProviderConfig } from './provider.js';
import type { AiModels, ChunkRow } from './models.js';

/** An article retrieved for a question, with the passages to show the model. */
export interface Retrieved { articleId: string; title: string; slug: string; passages: string[]; score: number }

/** Characters per chunk: a few paragraphs, small enough for a local model's context. */
const CHUNK_CHARS = 900;
/** Cosine below this is not "relevant" on its own (full-text hits always are). */
export const MIN_SIMILARITY = 0.35;
/** Articles given to the model per question. */
const TOP_ARTICLES = 3;
/** Plain text of an article given to the model when there are no chunks (full-text only). */
const PASSAGE_CHARS = 2000;
/** The job that (re)embeds one article; dedupe key `ai-index:<articleId>`. */
export const INDEX_JOB = 'ai.index-article';
/** The job that embeds every published article of an account (a new embedding model); dedupe key `ai-reindex:<accountId>`. */
export const REINDEX_JOB = 'ai.reindex';

/** Splits an article into chunks of about CHUNK_CHARS at paragraph (then sentence) boundaries; each starts with the title. */
export function chunkArticle(title: string, text: string): string[] {
  const paragraphs = text.split(/\n\s*\n/).map((p) => p.replace(/\s+/g, ' ').trim()).filter(Boolean);
  const pieces: string[] = [];
  for (const p of paragraphs) {
    if (p.length <= CHUNK_CHARS) pieces.push(p);
    else for (const s of p.match(new RegExp(`.{1,${CHUNK_CHARS}}(?:[.!?](?=\\s)|$|\\s)`, 'gs')) ?? [p]) pieces.push(s.trim());
  }
  const chunks: string[] = [];
  let current = '';
  for (const piece of pieces) {
    if (current && current.length + piece.length + 1 > CHUNK_CHARS) {
      chunks.push(current);
      current = '';
    }
    current = current ? `${current}\n${piece}` : piece;
  }
  if (current || !chunks.length) chunks.push(current);
  return chunks.map((c) => `${title}\n${c}`.trim());
}

export function cosine(a: number[], b: number[]): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

const vectorOf = (row: Pick<ChunkRow, 'vector'>): number[] => (typeof row.vector === 'string' ? (JSON.parse(row.vector) as number[]) : row.vector);

/**
 * Retrieval over an account's published articles: chunks embedded when articles are
 * published or changed (durable jobs), cosine in process, fused with the knowledge
 * base's full-text ranking (reciprocal rank fusion); full-text only without an
 * embedding model. Vectors live in `ai_chunks` and are only ever read for one account.
 */
export class Retrieval {
  constructor(private readonly ctx: PluginContext, private readonly models: AiModels) {}

  private get kb() {
    return this.ctx.services.get(KnowledgeBaseService);
  }

  /** (Re)embeds one article with the account's embedding model; drops its chunks when it is no longer published. */
  async indexArticle(accountId: string, articleId: string, provider: ProviderConfig, signal?: AbortSignal): Promise<void> {
    const { db } = this.ctx;
    const article = await this.kb.publishedArticle(accountId, articleId);
    if (!article || !provider.embeddingModel) {
      await db.scope(accountId).destroy(this.models.Chunk, { articleId });
      return;
    }
    const texts = chunkArticle(article.title, article.text);
    const vectors = await embed(provider, texts, { signal });
    await db.transaction(async () => {
      const scope = db.scope(accountId);
      await scope.destroy(this.models.Chunk, { articleId });
      for (const [position, text] of texts.entries()) {
        await scope.create(this.models.Chunk, { id: newId(), articleId, position, model: provider.embeddingModel, title: article.title, slug: article.slug, text, vector: vectors[position] });
      }
    });
  }

  /** Queues the embedding of every published article (a new embedding model, or a first configuration). */
  async enqueueAll(accountId: string, model: string): Promise<number> {
    // Vectors of another model are not comparable with the new ones: drop them first.
    await this.ctx.db.scope(accountId).destroy(this.models.Chunk, { model: { [Op.ne]: model } } as never);
    let afterId: string | undefined;
    let n = 0;
    for (;;) {
      const ids = await this.kb.publishedIds(accountId, { afterId, limit: 500 });
      for (const articleId of ids) await this.ctx.jobs.enqueue(INDEX_JOB, { accountId, articleId }, { accountId, dedupeKey: `ai-index:${articleId}` });
      n += ids.length;
      if (ids.length < 500) return n;
      afterId = ids.at(-1);
    }
  }

  /** Whether the account's chunks were embedded with another model than `model` (or some published article has none). */
  async stale(accountId: string, model: string): Promise<boolean> {
    const scope = this.ctx.db.scope(accountId);
    const other = await scope.count(this.models.Chunk, { where: { model: { [Op.ne]: model } } as never });
    const current = await scope.count(this.models.Chunk, { where: { model } });
    const published = (await this.kb.publishedIds(accountId, { limit: 1 })).length;
    return other > 0 || (current === 0 && published > 0);
  }

  /** The articles most relevant to `question`, best first (empty: nothing relevant). */
  async retrieve(accountId: string, question: string, provider: ProviderConfig, signal?: AbortSignal): Promise<Retrieved[]> {
    const fullText = await this.kb.suggest(accountId, question, 5);
    const ranked = new Map<string, Retrieved>();
    const fuse = (articleId: string, rank: number, make: () => Omit<Retrieved, 'score'>) => {
      const entry = ranked.get(articleId) ?? { ...make(), score: 0 };
      entry.score += 1 / (60 + rank);
      ranked.set(articleId, entry);
    };
    if (provider.embeddingModel) {
      const chunks = await this.ctx.db.scope(accountId).findAll(this.models.Chunk, { where: { model: provider.embeddingModel }, attributes: ['articleId', 'title', 'slug', 'text', 'vector'] });
      if (chunks.length) {
        const [q] = await embed(provider, [question], { signal });
        const scored = chunks.map((c) => ({ c, sim: cosine(q, vectorOf(c)) })).filter((x) => x.sim >= MIN_SIMILARITY).sort((a, b) => b.sim - a.sim);
        const byArticle = new Map<string, typeof scored>();
        for (const x of scored) byArticle.set(x.c.articleId, [...(byArticle.get(x.c.articleId) ?? []), x]);
        [...byArticle.values()].forEach((hits, rank) => {
          fuse(hits[0].c.articleId, rank, () => ({ articleId: hits[0].c.articleId, title: hits[0].c.title, slug: hits[0].c.slug, passages: hits.slice(0, 2).map((h) => h.c.text) }));
        });
      }
    }
    fullText.forEach((hit, rank) => fuse(hit.id, rank, () => ({ articleId: hit.id, title: hit.title, slug: hit.slug, passages: [] })));
    const top = [...ranked.values()].sort((a, b) => b.score - a.score).slice(0, TOP_ARTICLES);
    // Full-text hits without chunks: the article's own text (published only, re-read now).
    const out: Retrieved[] = [];
    for (const r of top) {
      if (!r.passages.length) {
        const article = await this.kb.publishedArticle(accountId, r.articleId);
        if (!article) continue;
        r.passages = [`${article.title}\n${article.text.slice(0, PASSAGE_CHARS)}`];
      }
      out.push(r);
    }
    return out;
  }
}
