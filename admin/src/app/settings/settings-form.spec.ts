import { describe, expect, it } from 'vitest';
import { fromInput, settingsFields, toInput } from './settings-form';

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
});
