/** API.md message sender kinds. */
export type SenderType = 'visitor' | 'agent' | 'bot' | 'system';

/** API.md Message. */
export interface Message {
  id: string;
  conversationId: string;
  seq: number;
  senderType: SenderType;
  senderId: string | null;
  content: string;
  private: boolean;
  clientId?: string | null;
  metadata?: Record<string, unknown> | null;
  createdAt: string;
  readAt?: string | null;
}

/** A conversation as the widget API returns it to its visitor. */
export interface VisitorConversation {
  id: string;
  status: 'open' | 'pending' | 'closed';
  assignee: { id: string; name: string } | null;
  lastMessage: Message | null;
  unreadCount: number;
  createdAt: string;
  updatedAt: string;
}
