/**
 * Examples for the OpenAPI document (`x-codeSamples`, as Redoc, Scalar and Stoplight
 * show them): a curl command and a JavaScript `fetch` for every operation, built from
 * the route itself — its method and path, who may call it (an API key for routes that
 * opt keys in with scopes, else the session or visitor token) and an example body made
 * from the body schema — so a new route gets its examples without anyone writing them.
 */
export interface CodeSample { lang: 'curl' | 'JavaScript'; label: string; source: string }

interface JsonSchema {
  type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[]; items?: JsonSchema;
  anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; allOf?: JsonSchema[]; enum?: unknown[]; const?: unknown; default?: unknown; examples?: unknown[];
  format?: string; minimum?: number; minLength?: number;
}

interface RouteInfo { method: string; url: string; schema?: { body?: unknown; hide?: boolean }; config?: { auth?: string; scopes?: string[] } }

const STRINGS: Record<string, string> = { url: 'https://example.com/hooks/charla', uri: 'https://example.com/', email: 'ada@example.com', 'date-time': '2026-01-01T12:00:00.000Z' };
const NAMED: Record<string, unknown> = {
  url: 'https://example.com/hooks/charla', email: 'ada@example.com', name: 'Ada', content: 'Hello from the API', clientId: 'my-unique-id-1',
  events: ['message.created'], scopes: ['conversations:read'], description: 'My integration', password: 'a-long-password',
};

/** A plausible value for a schema: its example or default, a constant, or one made from its type. */
export function exampleOf(schema: JsonSchema | undefined, name = '', depth = 0): unknown {
  if (!schema || depth > 5) return null;
  if (schema.examples?.length) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  const union = schema.anyOf ?? schema.oneOf;
  if (union?.length) return exampleOf(union.find((s) => s.type !== 'null') ?? union[0], name, depth + 1);
  if (schema.allOf?.length) return Object.assign({}, ...schema.allOf.map((s) => exampleOf(s, name, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (name in NAMED && type !== 'object') return NAMED[name];
  switch (type) {
    case 'object': {
      const props = schema.properties ?? {};
      const keys = schema.required?.length ? schema.required : Object.keys(props).slice(0, 3);
      return Object.fromEntries(keys.map((k) => [k, exampleOf(props[k], k, depth + 1)]));
    }
    case 'array': return [exampleOf(schema.items, name, depth + 1)];
    case 'string': return (schema.format && STRINGS[schema.format]) || (name ? `${name}` : 'text');
    case 'integer': case 'number': return schema.minimum ?? 1;
    case 'boolean': return true;
    default: return null;
  }
}

function credential(route: RouteInfo): { env: string; note: string } | null {
  const auth = route.config?.auth ?? (route.url.startsWith('/api/') ? 'agent' : 'public');
  if (auth === 'public') return null;
  if (route.config?.scopes?.length) return { env: 'CHARLA_API_KEY', note: `an API key with ${route.config.scopes.join(', ')} (or an admin's session token)` };
  if (auth === 'visitor') return { env: 'CHARLA_VISITOR_TOKEN', note: 'the visitor token from POST /api/v1/widget/init' };
  return { env: 'CHARLA_TOKEN', note: 'a session token from POST /api/v1/auth/login' };
}

/** The curl and JavaScript examples of one route. */
export function codeSamples(route: RouteInfo, baseUrl: string): CodeSample[] {
  const method = route.method.toUpperCase();
  const path = route.url.replace(/:(\w+)/g, '{$1}');
  const url = `${baseUrl.replace(/\/$/, '')}${path}`;
  const cred = credential(route);
  const body = route.schema?.body && !['GET', 'DELETE', 'HEAD'].includes(method) ? exampleOf(route.schema.body as JsonSchema) : undefined;
  const json = body === undefined ? null : JSON.stringify(body, null, 2);
  const curl = [
    ...(cred ? [`# ${cred.env}: ${cred.note}`] : []),
    `curl -X ${method} '${url}'`,
    ...(cred ? [`  -H "Authorization: Bearer $${cred.env}"`] : []),
    ...(json ? ['  -H "Content-Type: application/json"', `  -d '${json.replace(/'/g, "'\\''")}'`] : []),
  ].join(' \\\n').replace(/(# [^\n]*) \\\n/, '$1\n');
  const headers = [
    ...(cred ? [`authorization: \`Bearer \${process.env.${cred.env}}\``] : []),
    ...(json ? ["'content-type': 'application/json'"] : []),
  ];
  const js = [
    ...(cred ? [`// ${cred.env}: ${cred.note}`] : []),
    `const res = await fetch('${url}', {`,
    `  method: '${method}',`,
    ...(headers.length ? [`  headers: { ${headers.join(', ')} },`] : []),
    ...(json ? [`  body: JSON.stringify(${json.replace(/\n/g, '\n  ')}),`] : []),
    '});',
    'console.log(res.status, res.status === 204 ? null : await res.json());',
  ].join('\n');
  return [{ lang: 'curl', label: 'curl', source: curl }, { lang: 'JavaScript', label: 'JavaScript (fetch)', source: js }];
}
