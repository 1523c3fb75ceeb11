import { Type, type TSchema } from '@sinclair/typebox';

/** Shared TypeBox pieces for routes and the OpenAPI document. */
export const Problem = Type.Object({
  type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.String(), code: Type.String(),
}, { $id: 'Problem', additionalProperties: true });

export const Email = Type.String({ format: 'email', maxLength: 320, description: 'E-mail address' });
export const Password = Type.String({ minLength: 8, maxLength: 200 });
export const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
export const Id = Type.String({ minLength: 1, maxLength: 64 });
export const RoleSchema = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('agent')]);

export const UserSchema = Type.Object({ id: Type.String(), name: Type.String(), email: Type.String(), role: RoleSchema });
export const AccountSchema = Type.Object({ id: Type.String(), name: Type.String(), plan: Type.String() });
export const SessionSchema = Type.Object({ token: Type.String(), csrfToken: Type.String(), user: UserSchema, account: AccountSchema });

/** `{ 400: Problem, 401: Problem, … }` for the listed statuses. */
export function problems(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((s) => [s, Type.Ref('Problem')]));
}
