import { RESPONDER_ORDER, Type, definePlugin } from '@charla/core';

const Settings = Type.Object({
  /** A visitor message containing this word (any case) is handed to the team. */
  handOffWord: Type.String({ minLength: 1, maxLength: 40, default: 'human' }),
});

/**
 * Example automated responder (docs/plugins.md "Automated responders"): answers each
 * visitor message as a bot with an echo, until the visitor asks for a human — then it
 * says so and hands the conversation off. The kernel does the rest: one answer per
 * visitor message however often the job runs, silence once an agent replied.
 */
export default definePlugin({
  name: 'auto-reply',
  version: '0.1.0',
  core: '^0.1.0',
  dependsOn: ['conversations'],
  description: 'Echoes visitor messages as a bot; hands off to the team on request',
  settings: Settings,
  responder: {
    order: RESPONDER_ORDER.rules,
    async respond(turn, api, ctx) {
      const { handOffWord } = (await ctx.settingsFor(turn.accountId)) as { handOffWord: string };
      if (turn.content.toLowerCase().includes(handOffWord.toLowerCase())) {
        await api.reply('Connecting you with the team.');
        await api.handOff();
        return;
      }
      await api.reply(`Echo: ${turn.content}`);
    },
  },
});
