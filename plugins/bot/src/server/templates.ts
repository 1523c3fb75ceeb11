import type { RuleCreate } from './schemas.js';

/** Ready rules an admin adds with one click (`POST /api/v1/bot/templates/:id`), in Spanish or English. */
export interface RuleTemplate { id: string; name: string; description: string; rule: RuleCreate }

const T = {
  es: {
    returns: ['Devoluciones', 'Si el mensaje habla de devoluciones: responde y sugiere el artículo de devoluciones', 'Claro, te ayudo con tu devolución. Aquí tienes cómo hacerla:'],
    hours: ['Fuera de horario', 'Fuera del horario de atención: respuesta automática y la conversación queda pendiente para el equipo', 'Ahora mismo estamos fuera de horario. Hemos recibido tu mensaje y te responderemos en cuanto volvamos.'],
    greeting: ['Saludo', 'Al empezar una conversación: saluda y ofrece opciones', '¡Hola! ¿En qué podemos ayudarte?', ['Hablar con una persona', 'Solo estoy mirando'], ['Te pasamos con el equipo.', 'Perfecto, aquí estamos si nos necesitas.']],
    pricing: ['Precios', 'Si preguntan por precios: responde y sugiere artículos', 'Nuestros precios están en la página de planes. Estos artículos lo explican:'],
    words: { returns: ['devolución', 'devolver', 'devoluciones', 'reembolso', 'return', 'refund'], pricing: ['precio', 'precios', 'cuesta', 'tarifa', 'plan', 'planes'] },
  },
  en: {
    returns: ['Returns', 'A message about returns: reply and suggest the returns article', 'Sure, I can help with your return. Here is how:'],
    hours: ['Outside office hours', 'Outside office hours: an automatic reply, and the conversation is left pending for the team', 'We are away right now. We have your message and will answer as soon as we are back.'],
    greeting: ['Greeting', 'When a conversation starts: greet and offer choices', 'Hi! How can we help?', ['Talk to a person', 'Just browsing'], ['We are bringing in the team.', 'Great, we are here if you need us.']],
    pricing: ['Pricing', 'A question about prices: reply and suggest articles', 'Our prices are on the plans page. These articles explain them:'],
    words: { returns: ['return', 'returns', 'refund', 'devolución', 'devolver'], pricing: ['price', 'prices', 'pricing', 'cost', 'plan', 'plans'] },
  },
} as const;

export function ruleTemplates(locale: 'es' | 'en'): RuleTemplate[] {
  const t = T[locale];
  const [gName, gDesc, gText, gLabels, gReplies] = t.greeting;
  return [
    { id: 'returns', name: t.returns[0], description: t.returns[1], rule: { name: t.returns[0], trigger: 'message', conditions: { keywords: [...t.words.returns], match: 'any' }, actions: [{ type: 'reply', content: t.returns[2] }, { type: 'suggest_articles' }] } },
    { id: 'outside-hours', name: t.hours[0], description: t.hours[1], rule: { name: t.hours[0], trigger: 'outside_hours', conditions: {}, actions: [{ type: 'reply', content: t.hours[2] }, { type: 'set_status', status: 'pending' }] } },
    { id: 'greeting', name: gName, description: gDesc, rule: { name: gName, trigger: 'conversation_started', conditions: {}, actions: [{ type: 'buttons', content: gText, buttons: [{ label: gLabels[0], reply: gReplies[0] }, { label: gLabels[1], reply: gReplies[1] }] }] } },
    { id: 'pricing', name: t.pricing[0], description: t.pricing[1], rule: { name: t.pricing[0], trigger: 'message', conditions: { keywords: [...t.words.pricing], match: 'any' }, actions: [{ type: 'reply', content: t.pricing[2] }, { type: 'suggest_articles' }] } },
  ];
}
