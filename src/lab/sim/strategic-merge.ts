/**
 * Strategic merge patch (`application/strategic-merge-patch+json`) as kube-apiserver applies it to built-in kinds:
 * k8s.io/apimachinery v0.33.1 pkg/util/strategicpatch/patch.go, StrategicMergeMapPatchUsingLookupPatchMeta with the
 * server's options (MergeParallelList and IgnoreUnmatchedNulls both on). kubectl sends these for `patch` (its
 * default type), `set image`, `edit` and client-side `apply`; a JSON merge patch would replace whole lists where
 * these merge them by key.
 *
 * What each field does comes from its type's patch metadata (patch-schema.ts, the struct tags of k8s.io/api):
 * - maps merge key by key; `null` deletes a key; a field tagged `replace` takes the patch's map as it is;
 * - lists tagged `merge` with a merge key merge element by element on that key (new keys are appended), lists of
 *   scalars tagged `merge` become the union of both; every other list is replaced by the patch's;
 * - directives: `$patch: replace` / `$patch: delete` in a map (mergeMap, handleDirectiveInMergeMap) or in a list
 *   element (mergeSliceWithSpecialElements), `$retainKeys` (applyRetainKeysDirective), `$setElementOrder/<list>`
 *   (mergePatchIntoOriginal) and `$deleteFromPrimitiveList/<list>` (preprocessDeletionListForMerging);
 * - order: elements named in the patch (or its `$setElementOrder`) keep the patch's order, the others the live
 *   order, interleaved by the live order (normalizeElementOrder, mergeSortedSlice).
 * Errors carry the HTTP status the API server answers with (handlers/patch.go interpretStrategicMergePatchError):
 * a malformed directive is 400; other merge failures, which upstream reports as an internal error, 500.
 */
import { isObject as isMap, PatchError } from './patch.js';
import { type PatchSchema, sliceMeta, structMeta } from './patch-schema.js';

type Json = unknown;
type JsonMap = Record<string, Json>;

const directiveMarker = '$patch';
const setElementOrderPrefix = '$setElementOrder';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList';
const retainKeysDirective = '$retainKeys';

/** mergepatch/errors.go: the sentences kube-apiserver answers with. */
const badRetainKeys = () => new PatchError('invalid patch format of retainKeys', 400);
const badSetElementOrder = () => new PatchError('invalid patch format of setElementOrder list', 400);
const badPrimitiveList = () => new PatchError('invalid patch format of primitive list', 400);
const noMergeKey = (m: JsonMap, key: string) =>
  new PatchError(`map: ${JSON.stringify(m)} does not contain declared merge key: ${key}`, 500);
const badPatchType = (t: Json, m: JsonMap) =>
  new PatchError(`unknown patch type: ${String(t)} in map: ${JSON.stringify(m)}`, 500);

function kindOf(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'slice';
  if (typeof value === 'object') return 'map';
  return typeof value;
}

/** Applies `patch` to a copy of `original` (both JSON objects); `schema` is the object's kind's patch metadata. */
export function strategicMergePatch(original: Json, patch: Json, schema: PatchSchema): JsonMap {
  if (!isMap(original) || !isMap(patch)) throw new PatchError('invalid JSON document', 400);
  return mergeMap(structuredClone(original), structuredClone(patch), schema);
}

function mergeMap(original: JsonMap | undefined, patch: JsonMap, schema: PatchSchema): JsonMap {
  if (directiveMarker in patch) return directiveInMap(patch[directiveMarker], patch);
  const out = original ?? {};
  applyRetainKeys(out, patch);
  mergeOrderedLists(out, patch, schema);
  for (let [key, patchValue] of Object.entries(patch)) {
    let deleteList = false;
    if (key.startsWith(deleteFromPrimitiveListPrefix)) {
      key = afterPrefix(key, deleteFromPrimitiveListPrefix, badPrimitiveList);
      deleteList = true;
    }
    if (patchValue === null) {
      delete out[key];
      continue;
    }
    const current = out[key];
    if (current === undefined || kindOf(current) !== kindOf(patchValue)) {
      if (!deleteList) setWithoutDirectives(out, key, discardNulls(patchValue));
      continue;
    }
    if (isMap(current) && isMap(patchValue)) {
      const meta = structMeta(schema, key);
      out[key] = meta.strategy === 'replace' ? patchValue : mergeMap(current, patchValue, meta.schema);
    } else if (Array.isArray(current) && Array.isArray(patchValue)) {
      const meta = sliceMeta(schema, key);
      out[key] =
        meta.strategy === 'merge' || deleteList
          ? mergeSlice(current, patchValue, meta.schema, meta.mergeKey, deleteList)
          : patchValue;
    } else {
      setWithoutDirectives(out, key, patchValue);
    }
  }
  return out;
}

/** handleDirectiveInMergeMap: `$patch: replace` keeps the patch's map alone, `$patch: delete` empties it. */
function directiveInMap(directive: Json, patch: JsonMap): JsonMap {
  if (directive === 'replace') {
    const { [directiveMarker]: _, ...rest } = patch;
    return rest;
  }
  if (directive === 'delete') return {};
  throw badPatchType(directive, patch);
}

function afterPrefix(key: string, prefix: string, error: () => PatchError): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) throw error();
  return key.slice(slash + 1);
}

/** applyRetainKeysDirective: keys of the live map not listed go; every key the patch sets must be listed. */
function applyRetainKeys(original: JsonMap, patch: JsonMap): void {
  if (!(retainKeysDirective in patch)) return;
  const listed = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(listed)) throw badRetainKeys();
  const keep = new Set(listed);
  for (const [key, value] of Object.entries(patch)) {
    if (
      value === null ||
      key.startsWith(deleteFromPrimitiveListPrefix) ||
      key.startsWith(setElementOrderPrefix)
    )
      continue;
    if (!keep.has(key)) throw badRetainKeys();
  }
  for (const key of Object.keys(original)) if (!keep.has(key)) delete original[key];
}

/** mergePatchIntoOriginal: each `$setElementOrder/<list>` with its list, merged and put in the order it gives. */
function mergeOrderedLists(original: JsonMap, patch: JsonMap, schema: PatchSchema): void {
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(setElementOrderPrefix)) continue;
    delete patch[key];
    if (!Array.isArray(order)) throw badSetElementOrder();
    const field = afterPrefix(key, setElementOrderPrefix, badSetElementOrder);
    const live = original[field];
    const patchList = patch[field];
    if (live !== undefined && !Array.isArray(live)) throw badSetElementOrder();
    if (patchList !== undefined && !Array.isArray(patchList)) throw badSetElementOrder();
    const meta = sliceMeta(schema, field);
    checkOrderMatchesPatch(patchList ?? [], order, meta.mergeKey);
    let merged: Json[];
    if (live && patchList)
      merged =
        meta.strategy === 'merge'
          ? mergeSlice(live, patchList, meta.schema, meta.mergeKey, false)
          : patchList;
    else if (patchList) merged = withoutDirectives(patchList) as Json[];
    else if (live) merged = live;
    else continue;
    const inOrder = (item: Json) => indexIn(order, item, meta.mergeKey) >= 0;
    const liveOrder =
      live && patchList && meta.strategy === 'merge' && meta.mergeKey
        ? liveAfterEditsInPlace(live, patchList, meta.mergeKey)
        : (live ?? []);
    original[field] = normalizeOrder(
      merged.filter(inOrder),
      merged.filter((item) => !inOrder(item)),
      order,
      liveOrder,
      meta.mergeKey,
    );
    delete patch[field];
  }
}

/**
 * The live list as mergePatchIntoOriginal reads it when it puts the merged list in order: deleteMatchingEntries
 * removes elements by shifting the rest left in the same Go array, and mergeSliceWithoutSpecialElements appends new
 * elements into the slots that frees, so the live list's own positions now hold the shifted elements followed by the
 * first new ones (upstream's tests assert the order this gives, e.g. patch_test.go "add map and delete map from
 * merging list").
 */
function liveAfterEditsInPlace(live: Json[], patchList: Json[], mergeKey: string): Json[] {
  if (patchList.some((item) => isMap(item) && item[directiveMarker] === 'replace')) return live;
  const slots = [...live];
  let length = slots.length;
  const at = (value: Json) => slots.slice(0, length).findIndex((m) => isMap(m) && m[mergeKey] === value);
  for (const item of patchList) {
    if (!isDeleteElement(item)) continue;
    const key = (item as JsonMap)[mergeKey];
    for (let i = at(key); i >= 0; i = at(key)) {
      slots.copyWithin(i, i + 1, length);
      length--;
    }
  }
  for (const item of patchList) {
    if (!isMap(item) || directiveMarker in item || at(item[mergeKey]) >= 0) continue;
    if (length < slots.length) slots[length] = item;
    length++;
  }
  return slots;
}

/** validatePatchWithSetOrderList: the patch's elements (deletions aside) appear in the order list, in its order. */
function checkOrderMatchesPatch(patchList: Json[], order: Json[], mergeKey: string | undefined): void {
  const items = mergeKey ? patchList.filter((item) => !isDeleteElement(item)) : patchList;
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    const item = items[p];
    if (isMap(item) && directiveMarker in item) {
      p++;
      continue;
    }
    if (sameKey(item, order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length)
    throw new PatchError(`the order in the patch list doesn't match the ${setElementOrderPrefix} list`, 500);
}

function sameKey(left: Json, right: Json, mergeKey: string | undefined): boolean {
  if (!mergeKey) return left === right;
  if (!isMap(left) || !(mergeKey in left)) throw noMergeKey(isMap(left) ? left : {}, mergeKey);
  if (!isMap(right) || !(mergeKey in right)) throw noMergeKey(isMap(right) ? right : {}, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

function isDeleteElement(item: Json): boolean {
  return isMap(item) && item[directiveMarker] === 'delete';
}

function mergeSlice(
  original: Json[],
  patch: Json[],
  schema: PatchSchema,
  mergeKey: string | undefined,
  deleteList: boolean,
): Json[] {
  if (original.length === 0 && patch.length === 0) return original;
  const elementKind = sliceElementKind(original, patch);
  if (elementKind !== 'map') {
    if (deleteList) return original.filter((item) => !patch.includes(item));
    return unionInOrder(original, patch);
  }
  if (!mergeKey) throw new PatchError('cannot merge lists without merge key', 500);
  const { live, rest } = specialElements(original, patch, mergeKey);
  const merged = [...live];
  for (const item of rest) {
    const element = item as JsonMap;
    if (!(mergeKey in element)) throw noMergeKey(element, mergeKey);
    const at = merged.findIndex((m) => isMap(m) && m[mergeKey] === element[mergeKey]);
    if (at >= 0) merged[at] = mergeMap(merged[at] as JsonMap, element, schema);
    else merged.push(item);
  }
  const inPatch = (item: Json) => indexIn(rest, item, mergeKey) >= 0;
  return normalizeOrder(
    merged.filter(inPatch),
    merged.filter((item) => !inPatch(item)),
    rest,
    live,
    mergeKey,
  );
}

/** A `merge` list of scalars: the union of both, the patch's in its order and the live-only ones by live order. */
export function unionInOrder(live: Json[], patch: Json[]): Json[] {
  const merged = [...new Set([...live, ...patch])];
  const inPatch = new Set(patch);
  return normalizeOrder(
    merged.filter((v) => inPatch.has(v)),
    merged.filter((v) => !inPatch.has(v)),
    patch,
    live,
    undefined,
  );
}

/** sliceElementType: all elements of both lists are of one kind, and none is a list. */
function sliceElementKind(original: Json[], patch: Json[]): string {
  const kinds = new Set([...original, ...patch].map(kindOf));
  if (kinds.has('slice')) throw new PatchError('lists of lists are not supported', 422);
  if (kinds.size > 1) throw new PatchError('the elements of a list are of different types', 500);
  return [...kinds][0] ?? 'null';
}

/**
 * mergeSliceWithSpecialElements: `{<key>: v, $patch: delete}` removes the live elements with that key,
 * `{$patch: replace}` makes the list the patch's other elements.
 */
function specialElements(original: Json[], patch: Json[], mergeKey: string): { live: Json[]; rest: Json[] } {
  const rest: Json[] = [];
  let live = original;
  let replace = false;
  for (const item of patch) {
    const element = item as JsonMap;
    if (!(directiveMarker in element)) {
      rest.push(item);
      continue;
    }
    const directive = element[directiveMarker];
    if (directive === 'delete') {
      if (!(mergeKey in element)) throw noMergeKey(element, mergeKey);
      live = live.filter((m) => !(isMap(m) && m[mergeKey] === element[mergeKey]));
    } else if (directive === 'replace') replace = true;
    else if (directive === 'merge')
      throw new PatchError('merging lists cannot yet be specified in the patch', 500);
    else throw badPatchType(directive, element);
  }
  return replace ? { live: rest, rest: [] } : { live, rest };
}

function indexIn(list: Json[], item: Json, mergeKey: string | undefined): number {
  const value = (v: Json) => (mergeKey ? (isMap(v) ? v[mergeKey] : undefined) : v);
  const wanted = value(item);
  return list.findIndex((v) => value(v) === wanted);
}

/**
 * normalizeElementOrder: the patch's elements sorted by the patch order (deletion markers last), the live-only ones
 * by the live order, then interleaved: a live-only element goes before a patch element that comes after it live.
 */
export function normalizeOrder(
  fromPatch: Json[],
  liveOnly: Json[],
  patchOrder: Json[],
  liveOrder: Json[],
  mergeKey: string | undefined,
): Json[] {
  const right = sortBy(fromPatch, patchOrder, mergeKey);
  const left = sortBy(liveOnly, liveOrder, mergeKey);
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) out.push(left[i++]);
    else if (i >= left.length) out.push(right[j++]);
    else {
      const li = indexIn(liveOrder, left[i], mergeKey);
      const ri = indexIn(liveOrder, right[j], mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/** normalizeSliceOrder: a stable sort by position in `order`; elements marked for deletion go last. */
function sortBy(items: Json[], order: Json[], mergeKey: string | undefined): Json[] {
  const keep = mergeKey ? items.filter((item) => !isDeleteElement(item)) : items;
  const deleted = mergeKey ? items.filter(isDeleteElement) : [];
  const position = (item: Json) => {
    const at = indexIn(order, item, mergeKey);
    return at < 0 ? Number.POSITIVE_INFINITY : at;
  };
  return [...keep.map((item, n) => ({ item, n }))]
    .sort((a, b) => position(a.item) - position(b.item) || a.n - b.n)
    .map(({ item }) => item)
    .concat(deleted);
}

/** removeDirectives: a value taken from the patch as it is loses its `$patch` maps (and the key holding one). */
function setWithoutDirectives(target: JsonMap, key: string, value: Json): void {
  const cleaned = withoutDirectives(value);
  if (cleaned === dropped) delete target[key];
  else target[key] = cleaned;
}

const dropped = Symbol('dropped');

function withoutDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutDirectives).filter((v) => v !== dropped);
  if (!isMap(value)) return value;
  if (directiveMarker in value) return dropped;
  const out: JsonMap = {};
  for (const [k, v] of Object.entries(value)) {
    const cleaned = withoutDirectives(v);
    if (cleaned !== dropped) out[k] = cleaned;
  }
  return out;
}

/** discardNullValuesFromPatch: a value added where the live object has none carries no nulls. */
function discardNulls(value: Json): Json {
  if (Array.isArray(value)) return value.map(discardNulls);
  if (!isMap(value)) return value;
  const out: JsonMap = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = discardNulls(v);
  return out;
}
