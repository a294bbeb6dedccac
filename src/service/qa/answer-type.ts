/**
 * Answer-type checks: a question asking "how long", "which port", "what version", "what percentage" or
 * "how many" needs a span holding a duration, port, version, percentage or number.
 */

export type AnswerType = 'duration' | 'port' | 'version' | 'percent' | 'number';

export type SpanTypes = Record<AnswerType, boolean>;

const QUESTION_TYPES: Array<[AnswerType, RegExp]> = [
  [
    'port',
    /\b(?:which|what)\s+(?:tcp\s+|udp\s+|local\s+|host\s+)?port\b|\bport\s+number\b|\bon\s+which\s+port\b/i,
  ],
  ['version', /\b(?:which|what)\s+(?:\w+\s+)?version\b|\bversion\s+number\b/i],
  [
    'percent',
    /\b(?:what|which)\s+(?:\w+\s+)?(?:percent|percentage|share|fraction|ratio)\b|\bhow\s+much\s+(?:of\s+the\s+)?traffic\b|\bwhat\s+weight\b/i,
  ],
  [
    'duration',
    /\bhow\s+long\b|\bhow\s+much\s+time\b|\bhow\s+often\b|\bhow\s+frequently\b|\bhow\s+many\s+(?:seconds|minutes|hours|days|weeks|ms|milliseconds)\b|\bwhat\s+(?:is\s+the\s+)?(?:\w+\s+)?(?:timeout|interval|duration|delay|period|retention)\b|\bafter\s+how\s+many\s+(?:seconds|minutes|hours)\b/i,
  ],
  [
    'number',
    /\bhow\s+many\b|\bhow\s+much\b|\bwhat\s+number\b|\bwhat\s+(?:is\s+the\s+)?(?:\w+\s+)?(?:threshold|limit|maximum|minimum|count|size|cap)\b/i,
  ],
];

/** The answer type a question asks for, or null when it does not ask for a specific kind of value. */
export function detectAnswerType(question: string): AnswerType | null {
  for (const [type, pattern] of QUESTION_TYPES) if (pattern.test(question)) return type;
  return null;
}

const NUMBER_WORDS =
  /\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|sixty|hundred|once|twice|half|single|double)\b/i;
const DURATION =
  /\b\d+(?:\.\d+)?\s*(?:ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)\b|\b\d+[hms](?:\d+[ms])*\b|\b(?:a|an|one|two|three|five|ten|fifteen|thirty|sixty)\s+(?:second|minute|hour|day|week)s?\b/i;
const PORT = /\bports?\s*(?:is\s+|of\s+|=\s*|:\s*)?\d{2,5}\b|:\d{2,5}\b|\b\d{4,5}\/(?:tcp|udp)\b/i;
const VERSION = /\bv\d+(?:\.\d+)+\b|\b\d+\.\d+\.\d+\b|\bversion\s+v?\d+/i;
const PERCENT = /\d\s*%|\bpercent\b|\b0?\.\d+\b|\b\d+\s*\/\s*\d+\b/i;

export function spanTypes(text: string): SpanTypes {
  const hasDigit = /\d/.test(text);
  return {
    duration: DURATION.test(text),
    port: PORT.test(text),
    version: VERSION.test(text),
    percent: PERCENT.test(text),
    number: hasDigit || NUMBER_WORDS.test(text),
  };
}
