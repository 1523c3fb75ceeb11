import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from '@langchain/core/messages';

/** Where and how to reach an OpenAI-compatible server (OpenAI, Ollama, vLLM, llama.cpp, LM Studio). */
export interface ProviderConfig {
  baseUrl: string;
  apiKey: string;
  model: string;
  embeddingModel: string;
  /** Per call, in milliseconds. */
  timeoutMs: number;
}

export interface ChatTurn { role: 'system' | 'user' | 'assistant'; content: string }
export interface ChatResult { text: string; promptTokens: number; completionTokens: number }

/** A provider's failure, its message safe to show an admin (never the key, never the prompt). */
export class ProviderError extends Error {
  constructor(message: string, readonly kind: 'timeout' | 'http' | 'network' | 'aborted' | 'format') {
    super(message);
    this.name = 'ProviderError';
  }
}

/** Local servers ignore the key, but the OpenAI client insists on one. */
const keyOf = (c: ProviderConfig) => c.apiKey || 'not-needed';

function asMessages(turns: ChatTurn[]): BaseMessage[] {
  return turns.map((t) => (t.role === 'system' ? new SystemMessage(t.content) : t.role === 'user' ? new HumanMessage(t.content) : new AIMessage(t.content)));
}

function translate(err: unknown, signal: AbortSignal | undefined, timeout: AbortSignal): ProviderError {
  if (err instanceof ProviderError) return err;
  if (timeout.aborted) return new ProviderError('The AI provider did not answer in time.', 'timeout');
  if (signal?.aborted) return new ProviderError('The call was stopped.', 'aborted');
  const e = err as { status?: number; name?: string; message?: string };
  if (typeof e.status === 'number') return new ProviderError(`The AI provider answered HTTP ${e.status}.`, 'http');
  if (e.name === 'AbortError' || /abort/i.test(String(e.message))) return new ProviderError('The AI provider did not answer in time.', 'timeout');
  return new ProviderError('The AI provider could not be reached.', 'network');
}

function timeoutSignal(config: ProviderConfig, signal?: AbortSignal): { timeout: AbortSignal; both: AbortSignal } {
  const timeout = AbortSignal.timeout(config.timeoutMs);
  return { timeout, both: signal ? AbortSignal.any([signal, timeout]) : timeout };
}

/**
 * Chat completions through langchain's OpenAI client. With `onToken`, the answer is
 * streamed (server-sent events) and each piece is handed over as it arrives.
 */
export async function chat(config: ProviderConfig, turns: ChatTurn[], options: { signal?: AbortSignal; onToken?: (piece: string) => void; maxTokens?: number } = {}): Promise<ChatResult> {
  const { timeout, both } = timeoutSignal(config, options.signal);
  // Retries are the job queue's business (a retried turn is a new turn): none here.
  const model = new ChatOpenAI({
    model: config.model, apiKey: keyOf(config), configuration: { baseURL: config.baseUrl }, maxRetries: 0,
    temperature: 0.2, streamUsage: true, ...(options.maxTokens ? { maxTokens: options.maxTokens } : {}),
  });
  try {
    if (options.onToken) {
      let text = '';
      let promptTokens = 0;
      let completionTokens = 0;
      const stream = await model.stream(asMessages(turns), { signal: both });
      for await (const chunk of stream) {
        const piece = typeof chunk.content === 'string' ? chunk.content : '';
        if (piece) {
          text += piece;
          options.onToken(piece);
        }
        if (chunk.usage_metadata) {
          promptTokens = chunk.usage_metadata.input_tokens;
          completionTokens = chunk.usage_metadata.output_tokens;
        }
      }
      return { text, promptTokens, completionTokens };
    }
    const res = await model.invoke(asMessages(turns), { signal: both });
    const text = typeof res.content === 'string' ? res.content : res.content.map((p) => ('text' in p ? String(p.text) : '')).join('');
    return { text, promptTokens: res.usage_metadata?.input_tokens ?? 0, completionTokens: res.usage_metadata?.output_tokens ?? 0 };
  } catch (err) {
    throw translate(err, options.signal, timeout);
  }
}

/**
 * Embeddings through langchain. `encodingFormat: 'float'`: servers such as Ollama answer
 * float arrays whatever is asked, which the client would misread as base64.
 */
export async function embed(config: ProviderConfig, texts: string[], options: { signal?: AbortSignal } = {}): Promise<number[][]> {
  const { timeout, both } = timeoutSignal(config, options.signal);
  const embeddings = new OpenAIEmbeddings({
    model: config.embeddingModel, apiKey: keyOf(config), configuration: { baseURL: config.baseUrl, fetch: abortable(both) },
    maxRetries: 0, encodingFormat: 'float', batchSize: 32,
  });
  try {
    const vectors = await embeddings.embedDocuments(texts);
    if (vectors.length !== texts.length || vectors.some((v) => !Array.isArray(v) || !v.length || v.some((x) => typeof x !== 'number' || !Number.isFinite(x)))) {
      throw new ProviderError('The embedding server answered something that is not one vector per text.', 'format');
    }
    return vectors;
  } catch (err) {
    throw translate(err, options.signal, timeout);
  }
}

/** OpenAIEmbeddings takes no per-call signal: this fetch adds one. */
function abortable(signal: AbortSignal): typeof fetch {
  return (input, init) => fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
}
