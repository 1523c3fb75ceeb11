import { Type } from '@charla/core';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });

export const IdParam = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** Limits of an article's fields (also the admin editor's). */
export const LIMITS = { title: 200, body: 100_000, tags: 20, tag: 40, category: 80, slug: 100, query: 200 } as const;

export const StatusSchema = Type.Union([Type.Literal('draft'), Type.Literal('published')]);
export const Locale = Type.String({ pattern: '^[a-z]{2}(-[A-Za-z]{2})?$', description: 'Language of the article (es, en, pt-BR…): its words are stemmed for Spanish and English' });
const Title = Type.String({ minLength: 1, maxLength: LIMITS.title, pattern: '\\S' });
const Body = Type.String({ maxLength: LIMITS.body, description: 'Markdown; stored as written, rendered sanitized' });
const Tags = Type.Array(Type.String({ minLength: 1, maxLength: LIMITS.tag, pattern: '\\S' }), { maxItems: LIMITS.tags, description: 'Compared case-insensitively (stored lowercase)' });
const Category = Nullable(Type.String({ maxLength: LIMITS.category }));
const Slug = Type.String({ minLength: 1, maxLength: LIMITS.slug, pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', description: 'Lowercase letters, digits and single hyphens; unique in the account' });

export const ArticleCreateSchema = Type.Object({
  title: Title, body: Body, tags: Type.Optional(Tags), category: Type.Optional(Category), locale: Type.Optional(Locale), status: Type.Optional(StatusSchema),
}, { additionalProperties: false });

export const ArticlePatchSchema = Type.Object({
  title: Type.Optional(Title), body: Type.Optional(Body), tags: Type.Optional(Tags), category: Type.Optional(Category),
  locale: Type.Optional(Locale), status: Type.Optional(StatusSchema), slug: Type.Optional(Slug),
}, { additionalProperties: false });

export const PreviewSchema = Type.Object({ body: Body }, { additionalProperties: false });

export const ArticleSchema = Type.Object({
  id: Type.String(), slug: Type.String(), title: Type.String(), body: Type.String(), tags: Type.Array(Type.String()),
  category: Nullable(Type.String()), locale: Type.String(), status: StatusSchema, authorId: Nullable(Type.String()),
  createdAt: DateTime, updatedAt: DateTime, publishedAt: Nullable(DateTime),
  snippet: Type.Optional(Type.String({ description: 'With q=: a passage with the matched words in <mark> (HTML-escaped otherwise)' })),
});

export const ListQuerySchema = Type.Object({
  status: Type.Optional(StatusSchema),
  category: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.category })),
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.tag })),
  locale: Type.Optional(Locale),
  q: Type.Optional(Type.String({ maxLength: LIMITS.query, description: 'Full-text search: ranked, case- and accent-insensitive, stemmed' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
});

export const WidgetSearchQuerySchema = Type.Object({
  q: Type.String({ maxLength: LIMITS.query }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 5 })),
});

export const WidgetHitSchema = Type.Object({ id: Type.String(), slug: Type.String(), title: Type.String(), snippet: Type.String() });
export const WidgetArticleSchema = Type.Object({ id: Type.String(), slug: Type.String(), title: Type.String(), html: Type.String(), updatedAt: DateTime });
export const FeedbackSchema = Type.Object({ helpful: Type.Boolean() }, { additionalProperties: false });
