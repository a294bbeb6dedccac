/** JSON merge patch (RFC 7386) and JSON patch (RFC 6902) over plain JSON values, as the fake API server applies them. */
type Json = unknown;

/** A JSON object (not an array, not null). */
export function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** A patch that cannot be applied; `code` is the HTTP status the API server answers with (422 by default). */
export class PatchError extends Error {
  constructor(
    message: string,
    readonly code: 400 | 422 | 500 = 422,
  ) {
    super(message);
  }
}

export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: Json;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function getAt(doc: Json, tokens: string[]): Json {
  let cur: Json = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else return undefined;
  }
  return cur;
}

function parentOf(doc: Json, tokens: string[], path: string): { parent: Json; key: string } {
  const parent = getAt(doc, tokens.slice(0, -1));
  if (!(isObject(parent) || Array.isArray(parent))) throw new PatchError(`path "${path}" does not exist`);
  return { parent, key: tokens[tokens.length - 1] ?? '' };
}

function add(doc: Json, path: string, value: Json): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return structuredClone(value);
  const { parent, key } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length)
      throw new PatchError(`index out of range at "${path}"`);
    parent.splice(index, 0, structuredClone(value));
  } else (parent as Record<string, Json>)[key] = structuredClone(value);
  return doc;
}

function remove(doc: Json, path: string): Json {
  const tokens = parsePointer(path);
  const { parent, key } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!(index >= 0 && index < parent.length)) throw new PatchError(`index out of range at "${path}"`);
    parent.splice(index, 1);
  } else {
    if (!(key in (parent as object))) throw new PatchError(`path "${path}" does not exist`);
    delete (parent as Record<string, Json>)[key];
  }
  return doc;
}

export function jsonPatch(target: Json, ops: JsonPatchOp[]): Json {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be an array of operations');
  let doc = structuredClone(target);
  for (const op of ops) {
    switch (op.op) {
      case 'add':
        doc = add(doc, op.path, op.value);
        break;
      case 'remove':
        doc = remove(doc, op.path);
        break;
      case 'replace':
        doc = add(remove(doc, op.path), op.path, op.value);
        break;
      case 'move': {
        const value = getAt(doc, parsePointer(op.from ?? ''));
        doc = add(remove(doc, op.from ?? ''), op.path, value);
        break;
      }
      case 'copy':
        doc = add(doc, op.path, getAt(doc, parsePointer(op.from ?? '')));
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, parsePointer(op.path))) !== JSON.stringify(op.value))
          throw new PatchError(`test failed at "${op.path}"`);
        break;
      default:
        throw new PatchError(`unknown JSON patch operation "${(op as { op: string }).op}"`);
    }
  }
  return doc;
}
