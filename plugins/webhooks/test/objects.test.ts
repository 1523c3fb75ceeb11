import t from 'tap';
import { visibleObjects } from '../src/server/objects.js';

t.test('a conversation whose last message is a private note shows its last public one unless the endpoint opted in', async (t) => {
  const note = { id: 'n', private: true, content: 'internal' };
  const pub = { id: 'p', private: false, content: 'hello' };
  const objects = { conversation: { id: 'c', lastMessage: note, lastPublicMessage: pub } };
  t.same(visibleObjects(objects, false).conversation, { id: 'c', lastMessage: pub, lastPublicMessage: pub });
  t.same(visibleObjects(objects, true).conversation, objects.conversation, 'opted in: unchanged');
  const plain = { conversation: { id: 'c', lastMessage: pub, lastPublicMessage: pub } };
  t.equal(visibleObjects(plain, false), plain, 'nothing private: unchanged');
});
