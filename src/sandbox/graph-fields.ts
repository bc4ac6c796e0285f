/**
 * Graph API field syntax, for the Graph fake: `fields=id,comments.limit(5){id,text,replies{id}},insights.metric(a,b)`.
 * A field has a name, optional `.modifier(value)` calls and optional `{sub,fields}`.
 */
export interface FieldSpec {
  name: string;
  modifiers: Record<string, string>;
  children?: FieldSpec[];
}

export class FieldSyntaxError extends Error {}

/** Parses a `fields` parameter. Throws `FieldSyntaxError` on unbalanced braces or parentheses. */
export function parseFields(text: string): FieldSpec[] {
  let at = 0;
  const peek = () => text[at];
  const readName = () => {
    const match = /^[A-Za-z0-9_]+/.exec(text.slice(at));
    if (!match) throw new FieldSyntaxError(`field name expected at ${at}`);
    at += match[0].length;
    return match[0];
  };
  const readParenthesised = () => {
    let depth = 0;
    const start = at + 1;
    for (; at < text.length; at += 1) {
      if (text[at] === '(') depth += 1;
      if (text[at] === ')') depth -= 1;
      if (depth === 0) {
        at += 1;
        return text.slice(start, at - 1);
      }
    }
    throw new FieldSyntaxError('unbalanced parentheses');
  };
  const readList = (closing: string | undefined): FieldSpec[] => {
    const list: FieldSpec[] = [];
    while (at < text.length) {
      while (peek() === ' ') at += 1;
      const spec: FieldSpec = { name: readName(), modifiers: {} };
      while (peek() === '.') {
        at += 1;
        const modifier = readName();
        if (peek() !== '(') throw new FieldSyntaxError(`( expected after .${modifier}`);
        spec.modifiers[modifier] = readParenthesised();
      }
      if (peek() === '{') {
        at += 1;
        spec.children = readList('}');
      }
      list.push(spec);
      if (peek() === ',') {
        at += 1;
        continue;
      }
      if (closing !== undefined && peek() === closing) {
        at += 1;
        return list;
      }
      if (at < text.length) throw new FieldSyntaxError(`unexpected ${peek()} at ${at}`);
    }
    if (closing !== undefined) throw new FieldSyntaxError('unbalanced braces');
    return list;
  };
  if (text.trim() === '') return [];
  return readList(undefined);
}
