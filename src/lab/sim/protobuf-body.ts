/**
 * Request bodies in Kubernetes protobuf (`Content-Type: application/vnd.kubernetes.protobuf`), as kubectl's typed
 * commands send them (`kubectl create namespace|configmap|secret|deployment|job|service|role...`), read into the
 * JSON object the simulated API server stores.
 *
 * Envelope (apimachinery v0.33.1 pkg/runtime/serializer/protobuf/protobuf.go, Serializer.Decode): the 4 bytes
 * `k8s\0`, then a runtime.Unknown {typeMeta(1) {apiVersion(1), kind(2)}, raw(2), contentEncoding(3),
 * contentType(4)} whose raw bytes are the object's message. Field numbers: protobuf-schema.ts.
 * JSON conventions (k8s.io/apimachinery v0.33.1): meta/v1 time.go Time.MarshalJSON (RFC 3339 in UTC, whole
 * seconds; the zero Time is null, as in kubectl's own JSON bodies), api/resource quantity.go (a Quantity is its
 * string), util/intstr intstr.go IntOrString.MarshalJSON (type 0 the number, type 1 the string); encoding/json
 * writes []byte as base64.
 */
import protobuf from 'protobufjs/minimal.js';
import {
  type Field,
  type FieldType,
  INLINE,
  KEEP,
  kindMessages,
  LIST,
  type MessageName,
  messages,
  qualifiedName,
  type ValueType,
} from './protobuf-schema.js';
import { StoreError } from './store.js';

export const protobufMediaType = 'application/vnd.kubernetes.protobuf';

/** The prefix of every Kubernetes protobuf body (protobuf.go: protoEncodingPrefix). */
const envelopePrefix = [0x6b, 0x38, 0x73, 0x00];

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

type Reader = protobuf.Reader;
type Json = Record<string, unknown>;

class MalformedProtobuf extends Error {}

/** The body as JSON text: protobuf bodies decoded, any other body as it came (UTF-8). */
export function requestBodyText(raw: Buffer, contentType: string | undefined): string {
  if (contentType !== protobufMediaType || raw.length === 0) return raw.toString('utf8');
  return JSON.stringify(decodeProtobufBody(raw));
}

/**
 * The object a Kubernetes protobuf body carries, as the JSON the server stores. Throws StoreError: 400 for a body
 * that is not valid protobuf or sets a field the schema table does not know, 415 for a kind it has no table for.
 */
export function decodeProtobufBody(body: Uint8Array): Json {
  if (body.length < envelopePrefix.length || envelopePrefix.some((byte, i) => body[i] !== byte))
    throw malformed('it does not start with the k8s protobuf prefix');
  try {
    const unknown = readEnvelope(body.subarray(envelopePrefix.length));
    const key = `${unknown.apiVersion}/${unknown.kind}`;
    const message = kindMessages[key];
    if (!message)
      throw new StoreError(
        415,
        'UnsupportedMediaType',
        `the simulated API server reads protobuf bodies of ${Object.keys(kindMessages).join(', ')} only, not ${key}: send it as JSON (kubectl create -f, kubectl apply)`,
      );
    if (unknown.contentEncoding)
      throw new StoreError(
        415,
        'UnsupportedMediaType',
        `protobuf content encoding "${unknown.contentEncoding}" is not supported`,
      );
    return {
      apiVersion: unknown.apiVersion,
      kind: unknown.kind,
      ...decodeMessage(unknown.raw, message, key),
    };
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw malformed(error instanceof Error ? error.message : String(error));
  }
}

function malformed(detail: string): StoreError {
  return new StoreError(400, 'BadRequest', `the body of the request was not valid protobuf: ${detail}`);
}

/** runtime.Unknown (apimachinery pkg/runtime/types_proto.go, generated.proto). */
function readEnvelope(bytes: Uint8Array) {
  const envelope = { apiVersion: '', kind: '', raw: new Uint8Array() as Uint8Array, contentEncoding: '' };
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    expectWireType(tag, WIRE_LENGTH_DELIMITED);
    const field = tag >>> 3;
    if (field === 1) Object.assign(envelope, readTypeMeta(reader.bytes()));
    else if (field === 2) envelope.raw = reader.bytes();
    else if (field === 3) envelope.contentEncoding = reader.string();
    else if (field === 4) reader.string();
    else throw new MalformedProtobuf(`runtime.Unknown has no field ${field}`);
  }
  return envelope;
}

function readTypeMeta(bytes: Uint8Array): { apiVersion: string; kind: string } {
  const typeMeta = { apiVersion: '', kind: '' };
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    expectWireType(tag, WIRE_LENGTH_DELIMITED);
    const field = tag >>> 3;
    if (field === 1) typeMeta.apiVersion = reader.string();
    else if (field === 2) typeMeta.kind = reader.string();
    else throw new MalformedProtobuf(`runtime.TypeMeta has no field ${field}`);
  }
  return typeMeta;
}

function expectWireType(tag: number, wireType: number): void {
  if ((tag & 7) !== wireType)
    throw new MalformedProtobuf(`field ${tag >>> 3} has wire type ${tag & 7}, expected ${wireType}`);
}

function decodeMessage(bytes: Uint8Array, message: MessageName, kind: string): Json {
  const fields = messages[message];
  const out: Json = {};
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const field: Field | undefined = fields?.[tag >>> 3];
    if (!field)
      throw new StoreError(
        400,
        'BadRequest',
        `this protobuf ${kind} sets field ${tag >>> 3} of ${qualifiedName(message)}, which the simulated API server does not read: send the object as JSON instead (kubectl create -f, kubectl apply)`,
      );
    readField(reader, tag, field, out, kind);
  }
  return out;
}

function readField(
  reader: Reader,
  tag: number,
  [json, type, ...flags]: Field,
  out: Json,
  kind: string,
): void {
  if (type.startsWith('map:')) {
    expectWireType(tag, WIRE_LENGTH_DELIMITED);
    const [key, value] = readMapEntry(reader.bytes(), type.slice('map:'.length) as ValueType, kind);
    out[json] = { ...(out[json] as Json | undefined), [key]: value };
    return;
  }
  const valueType = type as ValueType;
  if (flags.includes(LIST)) {
    out[json] = [
      ...((out[json] as unknown[] | undefined) ?? []),
      ...readRepeated(reader, tag, valueType, kind),
    ];
    return;
  }
  const value = readValue(reader, tag, valueType, kind);
  if (flags.includes(INLINE)) Object.assign(out, value);
  else if (isZeroScalar(value) && !flags.includes(KEEP)) delete out[json];
  else out[json] = value;
}

/** '' 0 false: what `omitempty` leaves out of Go's JSON. */
const isZeroScalar = (value: unknown) => value === '' || value === 0 || value === false;

const numericTypes: readonly FieldType[] = ['int32', 'int64', 'bool'];

/** Repeated numbers may come packed (one length-delimited run); proto2 kubernetes messages send them one by one. */
function readRepeated(reader: Reader, tag: number, type: ValueType, kind: string): unknown[] {
  if (!numericTypes.includes(type) || (tag & 7) !== WIRE_LENGTH_DELIMITED)
    return [readValue(reader, tag, type, kind)];
  const packed = protobuf.Reader.create(reader.bytes());
  const values: unknown[] = [];
  while (packed.pos < packed.len) values.push(readValue(packed, tag & ~7, type, kind));
  return values;
}

function readValue(reader: Reader, tag: number, type: ValueType, kind: string): unknown {
  switch (type) {
    case 'int32':
      expectWireType(tag, WIRE_VARINT);
      return reader.int32();
    case 'int64':
      expectWireType(tag, WIRE_VARINT);
      return int64(reader);
    case 'bool':
      expectWireType(tag, WIRE_VARINT);
      return reader.bool();
  }
  expectWireType(tag, WIRE_LENGTH_DELIMITED);
  switch (type) {
    case 'string':
      return reader.string();
    case 'bytes':
      return Buffer.from(reader.bytes()).toString('base64');
    case 'time':
      return readTime(reader.bytes());
    case 'quantity':
      return readQuantity(reader.bytes());
    case 'intOrString':
      return readIntOrString(reader.bytes());
    default:
      return decodeMessage(reader.bytes(), type, kind);
  }
}

function int64(reader: Reader): number {
  return protobuf.util.LongBits.from(reader.int64()).toNumber(false);
}

/** A map entry: key(1), value(2); an absent value is its type's zero. */
function readMapEntry(bytes: Uint8Array, type: ValueType, kind: string): [string, unknown] {
  const reader = protobuf.Reader.create(bytes);
  let key = '';
  let value: unknown;
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1) {
      expectWireType(tag, WIRE_LENGTH_DELIMITED);
      key = reader.string();
    } else if (tag >>> 3 === 2) value = readValue(reader, tag, type, kind);
    else throw new MalformedProtobuf(`a map entry has no field ${tag >>> 3}`);
  }
  return [key, value ?? zeroOf(type)];
}

function zeroOf(type: ValueType): unknown {
  if (type === 'string' || type === 'bytes') return '';
  if (type === 'quantity') return '0';
  if (type === 'bool') return false;
  if (type === 'int32' || type === 'int64' || type === 'intOrString') return 0;
  return type === 'time' ? null : {};
}

/**
 * meta/v1 Time {seconds(1), nanos(2)}: RFC 3339 in UTC to the second. The zero time is sent as no bytes at all
 * (apimachinery v0.33.1 meta/v1 time_proto.go, Time.Marshal and Time.Unmarshal) and is JSON null.
 */
function readTime(bytes: Uint8Array): string | null {
  if (bytes.length === 0) return null;
  const reader = protobuf.Reader.create(bytes);
  let seconds = 0;
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    expectWireType(tag, WIRE_VARINT);
    if (tag >>> 3 === 1) seconds = int64(reader);
    else if (tag >>> 3 === 2) reader.int32();
    else throw new MalformedProtobuf(`meta/v1 Time has no field ${tag >>> 3}`);
  }
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** resource.Quantity {string(1)}. */
function readQuantity(bytes: Uint8Array): string {
  const reader = protobuf.Reader.create(bytes);
  let text = '0';
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    expectWireType(tag, WIRE_LENGTH_DELIMITED);
    if (tag >>> 3 !== 1) throw new MalformedProtobuf(`resource.Quantity has no field ${tag >>> 3}`);
    text = reader.string();
  }
  return text;
}

/** intstr.IntOrString {type(1): 0 Int, 1 String; intVal(2); strVal(3)}. */
function readIntOrString(bytes: Uint8Array): number | string {
  const reader = protobuf.Reader.create(bytes);
  let isString = false;
  let intVal = 0;
  let strVal = '';
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    expectWireType(tag, field === 3 ? WIRE_LENGTH_DELIMITED : WIRE_VARINT);
    if (field === 1) isString = int64(reader) === 1;
    else if (field === 2) intVal = reader.int32();
    else if (field === 3) strVal = reader.string();
    else throw new MalformedProtobuf(`intstr.IntOrString has no field ${field}`);
  }
  return isString ? strVal : intVal;
}
