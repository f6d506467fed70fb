/** Everything is built with createElement/textContent: problem and step text never become HTML. */
export function el(tag: string, props: { className?: string; text?: string; title?: string } = {}, ...children: (Node | null)[]): HTMLElement {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.title !== undefined) node.title = props.title;
  for (const c of children) if (c) node.append(c);
  return node;
}
