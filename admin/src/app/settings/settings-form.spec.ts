import { describe, expect, it } from 'vitest';
import { fromInput, fromRows, settingsFields, toInput, toRows } from './settings-form';

describe('plugin settings form', () => {
  const schema = {
    type: 'object',
    properties: {
      greeting: { type: 'string', title: 'Greeting' },
      tone: { anyOf: [{ const: 'formal' }, { const: 'casual' }] },
      enabled: { type: 'boolean' },
      limit: { type: 'integer' },
      keywords: { type: 'array', items: { type: 'string' } },
      rules: { type: 'object' },
    },
  };

  it('maps schema properties to field kinds', () => {
    expect(settingsFields(schema).map((f) => [f.key, f.kind])).toEqual([
      ['greeting', 'text'],
      ['tone', 'select'],
      ['enabled', 'boolean'],
      ['limit', 'number'],
      ['keywords', 'list'],
      ['rules', 'json'],
    ]);
    expect(settingsFields(schema)[1].options).toEqual(['formal', 'casual']);
  });

  it('round-trips values and refuses bad input', () => {
    const [, , , limit, keywords, rules] = settingsFields(schema);
    expect(fromInput(keywords, toInput(keywords, ['a', 'b']))).toEqual(['a', 'b']);
    expect(fromInput(limit, '3')).toBe(3);
    expect(() => fromInput(limit, '3.5')).toThrow(/number/);
    expect(fromInput(rules, '{"a":1}')).toEqual({ a: 1 });
    expect(() => fromInput(rules, '{')).toThrow(/JSON/);
  });

  it('a secret string is a secret field; a list of small objects is rows, not JSON', () => {
    const fields = settingsFields({
      type: 'object',
      properties: {
        apiKey: { type: 'string', secret: true },
        token: { type: 'string', writeOnly: true },
        priorityRules: { type: 'array', items: { type: 'object', properties: { attribute: { type: 'string', title: 'Attribute' }, equals: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] } } } },
        nested: { type: 'array', items: { type: 'object', properties: { deep: { type: 'object' } } } },
      },
    });
    expect(fields.map((f) => [f.key, f.kind])).toEqual([['apiKey', 'secret'], ['token', 'secret'], ['priorityRules', 'rows'], ['nested', 'json']]);
    const rules = fields[2];
    expect(rules.columns.map((c) => [c.key, c.label, c.types])).toEqual([['attribute', 'Attribute', ['string']], ['equals', 'equals', ['string', 'number', 'boolean']]]);
    const cells = toRows([{ attribute: 'plan', equals: 'enterprise' }, { attribute: 'seats', equals: 50 }, { attribute: 'vip', equals: true }]);
    expect(cells[1]).toEqual({ attribute: 'seats', equals: '50' });
    expect(fromRows(rules, [...cells, { attribute: '', equals: ' ' }])).toEqual([
      { attribute: 'plan', equals: 'enterprise' }, { attribute: 'seats', equals: 50 }, { attribute: 'vip', equals: true },
    ]);
  });
});
