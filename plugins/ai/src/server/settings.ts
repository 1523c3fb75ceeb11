import { Type, type Static } from '@charla/core';

/** The AI plugin's settings per account (API-features.md § AI). */
export const AiSettingsSchema = Type.Object({
  enabled: Type.Boolean({ default: false, title: 'Answer visitors with AI', description: 'Off until you set a provider and turn it on' }),
  baseUrl: Type.String({ default: '', maxLength: 500, title: 'Provider base URL', description: 'Any OpenAI-compatible server: https://api.openai.com/v1, http://localhost:11434/v1 (Ollama), vLLM, llama.cpp, LM Studio' }),
  apiKey: Type.String({ default: '', maxLength: 500, secret: true, title: 'API key', description: 'Write-only; local servers usually need none' }),
  model: Type.String({ default: '', maxLength: 200, title: 'Chat model', description: 'e.g. gpt-4o-mini, llama3.1' }),
  embeddingModel: Type.String({ default: '', maxLength: 200, title: 'Embedding model', description: 'Empty: full-text search only (e.g. text-embedding-3-small, nomic-embed-text)' }),
  tone: Type.Union([Type.Literal('friendly'), Type.Literal('neutral'), Type.Literal('formal')], { default: 'friendly', title: 'Tone' }),
  language: Type.Union([Type.Literal('auto'), Type.Literal('es'), Type.Literal('en')], { default: 'auto', title: 'Language', description: 'auto: the visitor\'s' }),
  maxAnswerChars: Type.Integer({ default: 800, minimum: 100, maximum: 4000, title: 'Longest answer (characters)' }),
  onlyFromKnowledgeBase: Type.Boolean({ default: true, title: 'Only answer from the knowledge base' }),
  handoffKeywords: Type.Array(Type.String({ minLength: 1, maxLength: 60 }), {
    default: ['agent', 'human', 'person', 'agente', 'humano', 'persona'], maxItems: 50,
    title: 'Words that ask for a person', description: 'A visitor message with one of them goes to the team',
  }),
});
export type AiSettings = Static<typeof AiSettingsSchema>;

/** Whether the account set a provider and turned the AI on: until then the plugin answers nothing. */
export function configured(s: AiSettings): boolean {
  return s.enabled && !!s.baseUrl && !!s.model;
}

/** The operator's options, from the environment (docs/configuration.md "AI"); a bad value stops the boot. */
export interface AiOptions {
  /** Base-URL prefixes accounts may use (`AI_ALLOWED_BASE_URLS`); empty: any. */
  allowedBaseUrls: string[];
  /** Per provider call (`AI_TIMEOUT_MS`, default 30 000). */
  timeoutMs: number;
  /** Answers per account per minute when the plan sets no `aiAnswersPerMinute` (`AI_ANSWERS_PER_MINUTE`, default 30). */
  answersPerMinute: number;
}

function positive(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: expected a positive integer, got "${raw}"`);
  return n;
}

export function readOptions(env: Record<string, string | undefined> = process.env): AiOptions {
  const allowedBaseUrls = (env.AI_ALLOWED_BASE_URLS ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((u) => {
    if (!/^https?:\/\/[^/\s]+/i.test(u)) throw new Error(`AI_ALLOWED_BASE_URLS: "${u}" is not an http(s) URL`);
    return u.replace(/\/+$/, '');
  });
  return { allowedBaseUrls, timeoutMs: positive(env, 'AI_TIMEOUT_MS', 30_000), answersPerMinute: positive(env, 'AI_ANSWERS_PER_MINUTE', 30) };
}

/** A base URL is allowed when the operator lists none, or it equals one listed or lies under it (`…/v1` under `…`). */
export function baseUrlAllowed(baseUrl: string, options: AiOptions): boolean {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (!options.allowedBaseUrls.length) return true;
  const normalized = baseUrl.replace(/\/+$/, '');
  return options.allowedBaseUrls.some((p) => normalized === p || normalized.startsWith(`${p}/`));
}
