/**
 * Answer-type checks: a question asking "how long", "which port", "what version", "what percentage" or
 * "how many" needs a span holding a duration, port, version, percentage or number.
 */

export type AnswerType =
  | 'duration'
  | 'port'
  | 'version'
  | 'percent'
  | 'number'
  | 'command'
  | 'time'
  | 'owner'
  | 'name'
  | 'money';

export type SpanTypes = Record<AnswerType, boolean>;

const QUESTION_TYPES: Array<[AnswerType, RegExp]> = [
  [
    'money',
    /\bhow\s+much\b.*\b(?:cost|costs|charge|charges|pay|paid|spend|spent|price)\b|\bwhat\s+(?:does|do|will)\b.*\bcost\b|\bwhat(?:'s|\s+is|\s+are)\s+the\s+(?:price|fee|fees|cost)\b/i,
  ],
  [
    'command',
    /\b(?:what|which)\s+(?:\w+\s+)?(?:command|cli|flag|option|subcommand)\b|\bwhat\s+(?:do|should|can)\s+(?:i|we)\s+(?:run|type)\b|\bcommand\s+(?:to|for)\b/i,
  ],
  [
    'owner',
    /^\s*who\b|\bwhich\s+(?:\w+\s+)?(?:team|person|group|people|engineer|manager)\b|\bwho\s+(?:owns|is\s+responsible|approves|maintains|do\s+i\s+(?:ask|call|contact|page|escalate))\b|\bescalate\s+to\b/i,
  ],
  [
    'name',
    /\bwhat(?:'s|\s+is|\s+are)\s+the\s+names?\s+of\b|\bwhat\s+is\s+(?:\w+\s+){1,4}called\b|\bwhich\s+(?:company|vendor|provider|product|library|database|tool|service|bot|channel|bucket|queue|table|image|namespace)\b|\bwhat\s+(?:company|vendor|provider|product|library|database|tool|bot|channel|bucket|queue|table|namespace)\b/i,
  ],
  [
    'time',
    /^\s*when\s+(?:is|are|does|do|will|should|can)\b.*\b(?:run|runs|happen|happens|cut|start|starts|scheduled|freeze|window|due|open|close)\b|\bwhat\s+time\b|\bwhich\s+days?\b|\bwhat\s+days?\b|\bwhat\s+hours?\b|\bwhat\s+(?:date|dates|schedule)\b/i,
  ],
  ['port', /\b(?:which|what)\s+(?:[\w-]+\s+){0,3}port\b|\bport\s+number\b|\bon\s+which\s+port\b/i],
  ['version', /\b(?:which|what)\s+(?:[\w-]+\s+){0,3}version\b|\bversion\s+number\b/i],
  [
    'percent',
    /\b(?:what|which)\s+(?:\w+\s+)?(?:percent|percentage|share|fraction|ratio)\b|\bhow\s+much\s+(?:of\s+the\s+)?traffic\b|\bwhat\s+weight\b/i,
  ],
  [
    'duration',
    /\bhow\s+long\b|\bhow\s+much\s+time\b|\bhow\s+often\b|\bhow\s+frequently\b|\bhow\s+many\s+(?:seconds|minutes|hours|days|weeks|ms|milliseconds)\b|\bwhat(?:'s|\s+is|\s+are)?\s+(?:the\s+)?(?:[\w-]+\s+){0,3}(?:timeout|interval|duration|delay|period|retention|ttl)\b|\bafter\s+how\s+many\s+(?:seconds|minutes|hours)\b|\bhow\s+far\s+back\b|\bhow\s+(?:fast|quickly|soon)\b/i,
  ],
  [
    'number',
    /\bhow\s+many\b|\bhow\s+much\b|\bhow\s+(?:big|large|small|high|low)\b|\bwhat\s+number\b|\bwhat(?:'s|\s+is)\s+the\s+(?:most|least|fewest|highest|lowest|largest|smallest)\b|\bwhat(?:'s|\s+is|\s+are)?\s+(?:the\s+)?(?:[\w-]+\s+){0,3}(?:threshold|limit|maximum|minimum|max|min|count|size|cap)\b/i,
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
  /\b\d+(?:\.\d+)?\s*(?:ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?|months?|y|yrs?|years?)\b|\b\d+\s+(?:working|business|calendar)\s+(?:days?|weeks?)\b|\b\d+[hms](?:\d+[ms])*\b|\b(?:a|an|one|two|three|five|six|ten|twelve|fifteen|thirty|sixty)\s+(?:second|minute|hour|day|week|month|quarter|year)s?\b|\b(?:each|every|once\s+a|twice\s+a|per)\s+(?:second|minute|hour|day|night|week|month|quarter|year)\b|\b(?:hourly|daily|nightly|weekly|monthly|quarterly|yearly|annually)\b/i;
const PORT = /\bports?\s*(?:is\s+|of\s+|=\s*|:\s*)?\d{2,5}\b|:\d{2,5}\b|\b\d{4,5}\/(?:tcp|udp)\b/i;
const VERSION = /\bv\d+(?:\.\d+)+\b|\b\d+\.\d+\.\d+\b|\bversion\s+v?\d+/i;
const PERCENT = /\d\s*%|\bpercent\b|\b0?\.\d+\b|\b\d+\s*\/\s*\d+\b/i;

const COMMAND =
  /(?:^|\s)--?[a-z][\w-]*|\b[a-z][\w-]*ctl\b|\b(?:kubectl|git|helm|argocd|docker|npm|npx|curl|vault|make|terraform|aws|gcloud|az|systemctl|journalctl|ssh|psql)\s+[a-z]|\b[a-z]+(?:-[a-z]+)+\s+[a-z]+\s+[a-z<]/;
const TIME =
  /\b\d{1,2}:\d{2}\b|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mondays|tuesdays|weekends?|weekdays?|daily|nightly|weekly|monthly|quarterly|yearly)\b|\b(?:january|february|march|april|may|june|july|august|september|october|november|december)\b|\b\d{4}-\d{2}-\d{2}\b|\b(?:am|pm|utc)\b/i;
const MONEY = /[$€£¥]\s?\d|\d\s?(?:usd|eur|gbp|dollars?|euros?|cents?)\b|\d\s*%|\b(?:usd|eur|gbp)\s?\d/i;
const OWNER =
  /\bteam\b|\bmanagers?\b|\bowners?\b|\bengineers?\b|\blead\b|\bon-?call\b|\bsecondary\b|\bprimary\b|\bhead\s+of\b|\badmins?\b|\bmaintainers?\b|\bsupport\b|\bsecurity\b|\bfinance\b|\bapprovers?\b|\bsre\b|\bsomeone\b|\bperson\b|\bpeople\b|\bmembers?\b|\bgroup\b|\bdirector\b|\bowning\b|#[a-z][\w-]+/i;

/** Acronyms too common to name anything: an answer to "which tool" is not "the API". */
const GENERIC_ACRONYMS = new Set([
  'API',
  'HTTP',
  'HTTPS',
  'URL',
  'ID',
  'IDS',
  'UTC',
  'JSON',
  'YAML',
  'CPU',
  'OK',
  'UI',
  'CLI',
  'SMS',
]);

/**
 * The words of a text that could be a proper name or identifier, lower-cased: every word but the first that
 * looks like `Vault`, `ci-build-cache` or `#ci-help` and is not a generic acronym. Precomputed per span, so
 * `hasName` per question is a set lookup.
 */
export function nameCandidates(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\s+/).slice(1)) {
    const w = raw.replace(/^[("'`]+|[)"'`.,;:!?]+$/g, '');
    if (!w || GENERIC_ACRONYMS.has(w)) continue;
    if (
      /^[A-Z][a-z]*[A-Z0-9]?[\w-]*/.test(w) ||
      /^[a-z][\w<>{}]*[-_.][\w<>{}.-]*[\w>}]$/.test(w) ||
      /^[a-z]+[A-Z]\w*/.test(w) ||
      /^#[a-z]/.test(w)
    ) {
      out.push(w.toLowerCase());
    }
  }
  return out;
}

/**
 * A proper name or identifier not at the start of the sentence (`Vault`, `ci-build-cache`, `#ci-help`), other
 * than the words in `exclude` (the question's own words are no answer to it).
 */
export function hasName(text: string, exclude: ReadonlySet<string> = new Set()): boolean {
  return nameCandidates(text).some((w) => !exclude.has(w));
}

const OWNER_ALL = new RegExp(OWNER.source, 'gi');

/** The persons, roles and teams a text mentions, lower-cased, in order. */
export function ownerMentions(text: string): string[] {
  return Array.from(text.matchAll(OWNER_ALL), (match) => match[0].toLowerCase());
}

/** Whether a span names a person, role or team other than those the question already names. */
export function hasOwner(text: string, exclude: ReadonlySet<string> = new Set()): boolean {
  return ownerMentions(text).some((m) => !exclude.has(m));
}

export function spanTypes(text: string): SpanTypes {
  const hasDigit = /\d/.test(text);
  return {
    command: COMMAND.test(text),
    time: TIME.test(text),
    owner: OWNER.test(text),
    name: hasName(text),
    money: MONEY.test(text),
    duration: DURATION.test(text),
    port: PORT.test(text),
    version: VERSION.test(text),
    percent: PERCENT.test(text),
    number: hasDigit || NUMBER_WORDS.test(text),
  };
}
