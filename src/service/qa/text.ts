/**
 * Text analysis shared by indexing and querying: tokens, identifier parts, stop words, stems and a small
 * synonym map for operations runbooks. Everything here is pure and deterministic.
 */
import { stemmer } from 'stemmer';

/** Function words and question words: never index terms, never evidence. */
export const STOP_WORDS = new Set(
  `a an the and or but if then else of to in on at by for with from into onto over under about as is are was
were be been being am do does did doing done have has had having i me my mine we us our ours you your yours he
him his she her it its they them their theirs this that these those there here what which who whom whose when
where why how can could should would will shall may might must not no nor so than too very just also only own
same such both each few more most other some any all again further once up down out off own s t don doesn
didn isn aren wasn weren won wouldn shouldn couldn let lets get gets got getting go goes going gone want wants
wanted need needs needed please tell know way ways thing things something anything someone anyone one ones do
doing say says said okay ok actually really exactly kind sort e.g i.e etc hasn haven hadn can cannot ll ve re d`.split(
    /\s+/,
  ),
);

/**
 * Common English words that carry little topical meaning. A question word outside the corpus vocabulary
 * that is NOT in this list is "salient": the question is probably about something the corpus never covers.
 */
export const COMMON_WORDS = new Set(
  `happen happens happened happening make makes made making use uses used using work works worked working
keep keeps kept keeping see sees seen look looks looking find finds found show shows shown tell told give gives
given take takes took taken put puts set sets setting run runs ran running come comes came try tries tried
trying start starts started starting stop stops stopped stopping turn turns turned change changes changed
changing mean means meant meaning help helps helped right wrong good bad best better worse worst new old first
last next previous long short big small large little high low many much enough lot lots time times part parts
place case cases point points fact number numbers kind type types example examples step steps thing idea reason
reasons problem problems issue issues question questions answer answers supposed able possible sure usually
normally typically often always never sometimes still already yet soon later early late fast quickly slowly
happen after before during while until since without within between through across around against among along
first second third exactly roughly approximately about correct correctly proper properly actual actually real
really fine safe safely simple simply easy easily hard quick whole full entire every everything nothing each
team's someone's today tomorrow yesterday day days week weeks month months year years hour hours minute minutes
second seconds usual normal default defaults main mostly instead otherwise else whether either neither both
certain particular specific specifically general generally important current currently happening ever even
thing's wrong went stuck broken break breaks fix fixes fixed fixing deal handle handles handled handling
recommended recommend should shouldn't would can't won't isn't doesn't don't does do did lab engineer engineers
new person people user users someone anybody somebody somewhere anywhere everywhere`.split(/\s+/),
);

/**
 * Synonym groups for operations runbooks (deployment, on-call, CI, observability). A question word expands
 * to the other words of its groups, weighted lower than the word itself.
 */
const SYNONYM_GROUPS: string[][] = [
  [
    'scale',
    'scaling',
    'scaled',
    'replicas',
    'replica',
    'autoscaler',
    'autoscaling',
    'hpa',
    'horizontalpodautoscaler',
  ],
  ['rollback', 'revert', 'undo', 'abort', 'back out'],
  ['stop', 'prevent', 'avoid', 'disable', 'block', 'keep'],
  [
    'fight',
    'fighting',
    'overwrite',
    'overwrites',
    'overwriting',
    'reset',
    'resets',
    'flap',
    'flapping',
    'revert',
    'undo',
  ],
  ['deploy', 'deployment', 'release', 'ship', 'rollout'],
  ['fail', 'fails', 'failing', 'failed', 'failure', 'failures', 'error', 'errors', 'broken', 'unhealthy'],
  ['latency', 'slow', 'slowness', 'duration', 'response time', 'p99', 'p95'],
  ['config', 'configuration', 'configmap', 'settings', 'setting'],
  ['restart', 'reload', 'bounce', 'restarts', 'reloads'],
  ['drift', 'drifted', 'outofsync', 'manual change', 'hand edit', 'kubectl edit'],
  ['repository', 'repo', 'git'],
  ['secret', 'credential', 'credentials', 'token', 'password', 'key'],
  ['metric', 'metrics', 'measure', 'counter', 'gauge', 'histogram'],
  ['alert', 'alerts', 'page', 'paged', 'paging', 'notify', 'notification'],
  ['pin', 'pinned', 'pinning', 'digest', 'sha256'],
  ['promote', 'promotion', 'advance', 'proceed'],
  ['check', 'verify', 'validate', 'confirm', 'test'],
  ['delete', 'remove', 'removed', 'deleted', 'drop'],
  ['down', 'crash', 'crashed', 'unavailable', 'outage', 'dead', 'offline'],
  ['fix', 'resolve', 'repair', 'recover', 'recovery', 'remediate', 'mitigate', 'restore'],
  ['investigate', 'debug', 'diagnose', 'troubleshoot', 'triage'],
  ['limit', 'cap', 'maximum', 'max', 'ceiling', 'upper', 'longest', 'most', 'highest', 'largest', 'biggest'],
  ['minimum', 'min', 'floor', 'lower', 'least', 'shortest', 'lowest', 'smallest', 'fewest'],
  ['colour', 'color', 'colours', 'colors', 'coloured', 'colored'],
  ['timeout', 'time out', 'timed out', 'deadline'],
  ['retry', 'retries', 'rerun', 're-run', 'retried'],
  ['often', 'frequency', 'interval', 'every', 'period'],
  ['threshold', 'limit', 'cutoff', 'bar'],
  ['percent', 'percentage', 'ratio', 'share', 'fraction'],
  ['run', 'execute', 'invoke', 'trigger'],
  ['job', 'task', 'pipeline', 'workflow'],
  ['approve', 'approval', 'review', 'sign off'],
  ['escalate', 'escalation', 'hand off', 'handoff'],
  ['oncall', 'on-call', 'pager', 'rotation', 'duty'],
  ['increase', 'raise', 'bump', 'grow', 'more'],
  ['decrease', 'reduce', 'shrink', 'cut', 'fewer'],
  ['wait', 'delay', 'pause', 'hold'],
  ['duplicate', 'double', 'twice', 'repeated'],
  ['owner', 'owns', 'owned', 'responsible'],
  ['log', 'logs', 'logging'],
  ['dashboard', 'panel', 'graph', 'chart'],
  ['traffic', 'requests', 'load'],
  ['healthy', 'health', 'ready', 'readiness', 'green'],
  ['image', 'container', 'tag'],
  ['version', 'release', 'tag'],
  ['cluster', 'kind'],
  ['namespace', 'ns'],
  ['port', 'listen', 'listens'],
  ['cost', 'costs', 'price', 'budget'],
  ['manual', 'manually', 'hand', 'by hand'],
  ['automatic', 'automatically', 'auto'],
  ['sync', 'synced', 'syncing', 'reconcile', 'reconciles', 'reconciliation', 'apply'],
  ['canary', 'progressive'],
  ['unreachable', 'unavailable', 'offline', 'down', 'outage'],
  ['cpu', 'processor'],
  ['memory', 'ram', 'oom'],
  ['storage', 'disk', 'volume'],
  ['queue', 'backlog'],
  ['refund', 'refunds', 'chargeback'],
  ['charge', 'payment', 'transaction'],
  ['build', 'compile', 'builds'],
  ['flaky', 'intermittent', 'flake', 'unstable'],
  ['cache', 'cached', 'caching'],
  ['merge', 'merged', 'land'],
  ['branch', 'branches'],
  ['artifact', 'artifacts', 'output'],
  ['runner', 'agent', 'worker'],
  ['certificate', 'cert', 'tls', 'ssl'],
  ['backup', 'snapshot'],
  ['start', 'starts', 'begin', 'launch', 'boot', 'kickoff'],
  ['retain', 'retained', 'retention', 'keep', 'kept', 'stored'],
  ['downtime', 'outage', 'unavailable', 'interruption', 'errors'],
  ['optout', 'unsubscribe', 'unsubscribed', 'turnoff', 'disable', 'mute'],
  ['lookup', 'find', 'show', 'search'],
  ['admin', 'admins', 'administrator', 'administrators', 'root'],
  ['end', 'finish', 'complete', 'done'],
  ['wrong', 'incorrect', 'bad', 'broken', 'unrelated'],
  ['try', 'retry', 'attempt', 'again'],
  ['now', 'immediately', 'asap', 'straight away', 'right away'],
  ['correct', 'right', 'accurate', 'grounded'],
  ['answer', 'response', 'reply'],
  ['entry', 'entries', 'record', 'records', 'row', 'rows'],
  ['hostname', 'host', 'domain', 'fqdn'],
  ['upload', 'body', 'payload'],
  ['fingerprint', 'fingerprinted', 'hash', 'hashed', 'checksum', 'digest'],
  ['clear', 'purge', 'flush', 'invalidate', 'evict', 'wipe'],
  ['announce', 'post', 'notify', 'communicate', 'tell'],
  ['expire', 'expiry', 'expiration', 'ttl', 'lifetime', 'valid'],
  ['machine', 'laptop', 'computer', 'workstation', 'local'],
  ['site', 'website', 'page', 'endpoint'],
  ['users', 'customers', 'clients'],
  ['size', 'big', 'large', 'mb', 'gb'],
  ['allowed', 'permitted', 'may', 'can'],
  ['schedule', 'scheduled', 'cron', 'cronjob', 'nightly', 'daily'],
];

/** Two-word verbs written as one word elsewhere ("roll back" / "rollback"): the joined word is added. */
const COMPOUNDS: Array<[RegExp, string]> = [
  [/\b(?:roll|rolls|rolled|rolling)\s+back\b/gi, 'rollback'],
  [/\bfail(?:s|ed|ing)?\s+over\b/gi, 'failover'],
  [/\bset(?:s|ting)?\s+up\b/gi, 'setup'],
  [/\b(?:log|logs|logged|logging|sign|signs|signed|signing)\s+(?:in|into|on)\b/gi, 'login'],
  [/\btim(?:e|es|ed|ing)\s+out\b/gi, 'timeout'],
  [/\bon\s+call\b/gi, 'oncall'],
  [/\bcheck(?:s|ed|ing)?\s+out\b/gi, 'checkout'],
  [/\bshut(?:s|ting)?\s+down\b/gi, 'shutdown'],
  [/\bclean(?:s|ed|ing)?\s+up\b/gi, 'cleanup'],
  [/\bhand(?:s|ed|ing)?\s+off\b/gi, 'handoff'],
  [/\bwork(?:s|ed|ing)?\s+around\b/gi, 'workaround'],
  [/\bre\s+run\b/gi, 'rerun'],
  [/\bkick(?:s|ed|ing)?\s+off\b/gi, 'kickoff'],
  [/\bopt(?:s|ed|ing)?\s+out\b/gi, 'optout'],
  [/\bturn(?:s|ed|ing)?\s+off\b/gi, 'turnoff'],
  [/\blook(?:s|ed|ing)?\s+up\b/gi, 'lookup'],
];

/** The joined words of the two-word verbs in a text. */
const MAYBE_COMPOUND = /\s(?:back|over|up|in|into|on|out|call|down|off|around|run)\b/i;

export function compounds(text: string): string[] {
  const out: string[] = [];
  if (!MAYBE_COMPOUND.test(text)) return out;
  for (const [pattern, word] of COMPOUNDS) {
    for (const _ of text.matchAll(pattern)) out.push(word);
  }
  return out;
}

const CAMEL = /([a-z0-9])([A-Z])/g;
const RAW_TOKEN = /[A-Za-z0-9]+(?:[._:/=-][A-Za-z0-9]+)*/g;

/** Stems an alphabetic word; other tokens (numbers, identifiers) stay as they are. */
const stemCache = new Map<string, string>();

export function stem(word: string): string {
  if (word.length <= 3 || !/^[a-z]+$/.test(word)) return word;
  let stemmed = stemCache.get(word);
  if (stemmed === undefined) {
    stemmed = stemmer(word);
    // Porter gives "succeeds" → succe but "succeeding" → succeed: fold the -eed forms together.
    if (stemmed.length > 5 && stemmed.endsWith('eed')) stemmed = stemmed.slice(0, -2);
    if (stemCache.size > 100_000) stemCache.clear();
    stemCache.set(word, stemmed);
  }
  return stemmed;
}

/** Index terms of one raw token, by token: analysis runs on every question, and questions reuse words. */
const tokenCache = new Map<string, readonly string[]>();
const TOKEN_CACHE_LIMIT = 100_000;

function tokenTerms(raw: string): readonly string[] {
  const cached = tokenCache.get(raw);
  if (cached !== undefined) return cached;
  const out: string[] = [];
  const lower = raw.toLowerCase();
  if (/^[0-9][0-9.:,]*$/.test(raw)) {
    out.push(lower);
  } else {
    const parts = raw
      .replace(CAMEL, '$1 $2')
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((part) => part.length > 0);
    if (parts.length > 1) {
      const whole = lower.replace(/[-]/g, '');
      if (!STOP_WORDS.has(whole)) out.push(whole);
    }
    for (const part of parts) {
      if (STOP_WORDS.has(part)) continue;
      out.push(stem(part));
    }
  }
  if (tokenCache.size >= TOKEN_CACHE_LIMIT) tokenCache.clear();
  tokenCache.set(raw, out);
  return out;
}

/**
 * Splits text into index terms: lower-cased, stop words dropped, words stemmed. Identifiers are kept whole
 * and also split into their parts (`ignoreDifferences` → ignoredifferences, ignor, differ;
 * `docqa_requests_total` → itself, docqa, request, total; `self-heal` → self, heal, selfheal).
 */
export function analyze(text: string): string[] {
  const out: string[] = compounds(text).map(stem);
  for (const match of text.matchAll(RAW_TOKEN)) {
    for (const term of tokenTerms(match[0])) out.push(term);
  }
  return out;
}

/** Words of a text, lower-cased, in order (no stemming, stop words kept): for answer-type and OOV checks. */
export function words(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+(?:['’][a-z]+)?/g) ?? []).map((w) => w.replace(/['’].*$/, ''));
}

/** For each stemmed term, the stemmed terms of its synonym groups (the term itself excluded). */
function buildSynonyms(): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const group of SYNONYM_GROUPS) {
    // Only one-word entries take part (a phrase's words alone would be noise).
    const stems = [...new Set(group.filter((w) => !w.includes(' ')).flatMap((w) => analyze(w).slice(0, 1)))];
    for (const term of stems) {
      const set = map.get(term) ?? new Set<string>();
      for (const other of stems) if (other !== term) set.add(other);
      map.set(term, set);
    }
  }
  return map;
}

const SYNONYMS = buildSynonyms();

/** Stemmed synonyms of a stemmed term. */
export function synonymsOf(term: string): string[] {
  return [...(SYNONYMS.get(term) ?? [])];
}
