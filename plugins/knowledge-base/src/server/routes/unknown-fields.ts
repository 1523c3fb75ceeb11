import type { TObject } from '@charla/core';
import type { FastifyRequest } from 'fastify';
import { KnowledgeBaseErrors } from '../errors.js';

/**
 * Core's validator drops unknown body fields without a word; the knowledge base refuses
 * them instead (a client sending `slug` on create, or `state` for `status`, would
 * otherwise believe it had set something). A `preValidation` hook: it sees the body as sent.
 */
export function refuseUnknownFields(schema: TObject) {
  const known = Object.keys(schema.properties);
  return async (request: FastifyRequest): Promise<void> => {
    const body = request.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return;
    const unknown = Object.keys(body).filter((k) => !known.includes(k));
    if (unknown.length) throw KnowledgeBaseErrors.invalid(`Unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k.slice(0, 40)}"`).join(', ')}: send only ${known.join(', ')}.`);
  };
}
