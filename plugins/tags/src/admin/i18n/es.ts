export const ES: Record<string, string> = {
  'tags.panel.title': 'Etiquetas',
  'tags.panel.list': 'Etiquetas de esta conversación',
  'tags.panel.none': 'Aún sin etiquetas.',
  'tags.panel.add': 'Añadir una etiqueta',
  'tags.panel.addButton': 'Añadir',
  'tags.panel.remove': 'Quitar la etiqueta {tag}',
  'tags.panel.filter': 'Conversaciones con la etiqueta {tag}',
  'tags.panel.error': 'No se pudieron cambiar las etiquetas.',
  'tags.filter.label': 'Etiqueta',
  'tags.filter.any': 'Cualquier etiqueta',
};
