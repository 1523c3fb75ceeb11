import { RESPONDER_ORDER, Type, definePlugin } from '@charla/core';

/** The message block this plugin owns: buttons the visitor may press instead of typing. */
const QuickReplies = Type.Object({
  type: Type.Literal('quick-replies'),
  buttons: Type.Array(Type.Object({ id: Type.String({ minLength: 1, maxLength: 40 }), label: Type.String({ minLength: 1, maxLength: 80 }) }), { minItems: 1, maxItems: 5 }),
});

const Settings = Type.Object({
  /** A visitor message containing this word (any case) is handed to the team. */
  handOffWord: Type.String({ minLength: 1, maxLength: 40, default: 'human' }),
});

/**
 * Example automated responder (docs/plugins.md "Automated responders"): answers each
 * visitor message as a bot with an echo, until the visitor asks for a human — then it
 * says so and hands the conversation off. Its first answer carries a `quick-replies`
 * block (a "Talk to a human" button; pressing it sends the label). The kernel does the rest: one answer per
 * visitor message however often the job runs, silence once an agent replied.
 */
export default definePlugin({
  name: 'auto-reply',
  version: '0.1.0',
  core: '^0.1.0',
  dependsOn: ['conversations'],
  description: 'Echoes visitor messages as a bot; hands off to the team on request',
  settings: Settings,
  blocks: { 'quick-replies': QuickReplies },
  responder: {
    order: RESPONDER_ORDER.rules,
    async respond(turn, api, ctx) {
      const { handOffWord } = (await ctx.settingsFor(turn.accountId)) as { handOffWord: string };
      if (turn.content.toLowerCase().includes(handOffWord.toLowerCase())) {
        await api.reply('Connecting you with the team.');
        await api.handOff();
        return;
      }
      const offer = turn.claimedBy ? {} : { metadata: { blocks: [{ type: 'quick-replies', buttons: [{ id: 'human', label: 'Talk to a human' }] }] } };
      await api.reply(`Echo: ${turn.content}`, offer);
    },
  },
});
