import type { FlowNode } from './schemas.js';

/**
 * Why a flow cannot be saved, or null. A flow is a graph of nodes whose buttons lead to
 * other nodes (`next`); it must start at an existing node, every `next` must name a node
 * (no dangling ids), every node must be reachable from the start (no orphans), button ids
 * are unique in a node, and from every node the visitor must be able to reach an exit — a
 * node without buttons or a button without `next` — so no cycle traps them.
 */
export function flowProblem(startNodeId: string, nodes: Record<string, FlowNode>): string | null {
  const ids = Object.keys(nodes);
  if (!ids.length) return 'a flow needs at least one node';
  for (const id of ids) if (!/^[A-Za-z0-9_-]{1,40}$/.test(id)) return `node id "${id}" may hold only letters, digits, "-" and "_" (up to 40)`;
  if (!nodes[startNodeId]) return `startNodeId "${startNodeId}" is not one of the nodes`;
  for (const [id, node] of Object.entries(nodes)) {
    const seen = new Set<string>();
    for (const b of node.buttons) {
      if (seen.has(b.id)) return `node "${id}" has two buttons with id "${b.id}"`;
      seen.add(b.id);
      if (b.next !== undefined && !nodes[b.next]) return `button "${b.id}" of node "${id}" leads to node "${b.next}", which does not exist`;
    }
  }
  const reachable = new Set<string>([startNodeId]);
  const queue = [startNodeId];
  while (queue.length) {
    for (const b of nodes[queue.shift()!].buttons) if (b.next && !reachable.has(b.next)) { reachable.add(b.next); queue.push(b.next); }
  }
  const orphan = ids.find((id) => !reachable.has(id));
  if (orphan) return `node "${orphan}" cannot be reached from the start node "${startNodeId}"`;
  // Nodes that can reach an exit, found backwards from the exits.
  const exits = new Set(ids.filter((id) => nodes[id].buttons.length === 0 || nodes[id].buttons.some((b) => !b.next)));
  let grew = true;
  while (grew) {
    grew = false;
    for (const id of ids) if (!exits.has(id) && nodes[id].buttons.some((b) => b.next && exits.has(b.next))) { exits.add(id); grew = true; }
  }
  const trapped = ids.find((id) => !exits.has(id));
  if (trapped) return `node "${trapped}" is in a loop with no way out: give one of its nodes a button without "next" (an end) or a node without buttons`;
  return null;
}
