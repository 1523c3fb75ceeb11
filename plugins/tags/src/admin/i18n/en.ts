export const EN: Record<string, string> = {
  'tags.panel.title': 'Tags',
  'tags.panel.list': 'Tags of this conversation',
  'tags.panel.none': 'No tags yet.',
  'tags.panel.add': 'Add a tag',
  'tags.panel.addButton': 'Add',
  'tags.panel.remove': 'Remove the tag {tag}',
  'tags.panel.filter': 'Conversations tagged {tag}',
  'tags.panel.error': 'The tags could not be changed.',
  'tags.filter.label': 'Tag',
  'tags.filter.any': 'Any tag',
};
