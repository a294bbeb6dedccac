/**
 * The drill file format (drills/<name>.yaml), as zod schemas. docs/drills.md documents every field; keep the two
 * in step. Durations are strings (`30s`, `5m`); probes can be defined once under `probes:` and referenced by name.
 */
import { z } from 'zod';
import { isDuration } from './duration.js';

export const durationSchema = z
  .string({ message: 'expected a duration such as 30s, 5m or 1m30s' })
  .refine(isDuration, { message: 'expected a duration such as 30s, 5m or 1m30s' });

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type Scalar = z.infer<typeof scalar>;

const name = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, { message: 'expected lower-case letters, digits and dashes' });

/** The Kubernetes object a probe reads or an action changes. */
export const objectRefSchema = z.strictObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  namespace: z.string().min(1).optional(),
  name: z.string().min(1),
});
export type ObjectRef = z.infer<typeof objectRefSchema>;

/** How a probe's value is judged. At most one of these per probe; none means "the value exists". */
const toleranceFields = {
  equals: scalar.optional(),
  in: z.array(scalar).min(1).optional(),
  range: z
    .union([
      z.tuple([z.number(), z.number()]),
      z.strictObject({ min: z.number().optional(), max: z.number().optional() }),
    ])
    .optional(),
  matches: z.string().optional(),
  exists: z.boolean().optional(),
};

const probeCommon = {
  description: z.string().optional(),
  timeout: durationSchema.optional(),
};

/** One object by name, or every object matching a label selector (the value is then the list of matches). */
const probeTargetSchema = z
  .strictObject({
    apiVersion: z.string().min(1),
    kind: z.string().min(1),
    namespace: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
    selector: z.string().min(1).optional(),
  })
  .refine((t) => (t.name === undefined) !== (t.selector === undefined), {
    message: 'a probe target needs exactly one of `name` or `selector`',
  });
export type ProbeTarget = z.infer<typeof probeTargetSchema>;

const k8sProbe = z.strictObject({
  type: z.literal('k8s'),
  target: probeTargetSchema,
  /** JSONPath in kubectl style (`{.status.replicas}` or `.status.replicas`) or `$`-rooted. */
  path: z.string().min(1),
  ...toleranceFields,
  ...probeCommon,
});

const syncStatus = z.enum(['Synced', 'OutOfSync', 'Unknown']);
const healthStatus = z.enum(['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown']);

const argoAppProbe = z.strictObject({
  type: z.literal('argo-app'),
  name: z.string().min(1),
  namespace: z.string().min(1).default('argocd'),
  sync: z.union([syncStatus, z.array(syncStatus).min(1)]).optional(),
  health: z.union([healthStatus, z.array(healthStatus).min(1)]).optional(),
  /** `head`: the Application has compared the lab repository's newest commit (status.sync.revision). */
  revision: z.literal('head').optional(),
  ...probeCommon,
});

const rolloutPhase = z.enum(['Healthy', 'Progressing', 'Paused', 'Degraded', 'Aborted']);
const analysisPhase = z.enum(['Pending', 'Running', 'Successful', 'Failed', 'Error', 'Inconclusive', 'None']);

const rolloutProbe = z.strictObject({
  type: z.literal('rollout'),
  name: z.string().min(1),
  namespace: z.string().min(1),
  phase: z.union([rolloutPhase, z.array(rolloutPhase).min(1)]).optional(),
  analysis: z.union([analysisPhase, z.array(analysisPhase).min(1)]).optional(),
  ...probeCommon,
});

const prometheusProbe = z.strictObject({
  type: z.literal('prometheus'),
  /** Defaults to the lab's Prometheus (`--prometheus`). */
  url: z.url().optional(),
  query: z.string().min(1),
  ...toleranceFields,
  ...probeCommon,
});

const httpProbe = z.strictObject({
  type: z.literal('http'),
  url: z.url(),
  method: z.enum(['GET', 'POST', 'PUT', 'HEAD']).default('GET'),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional(),
  status: z.union([z.number().int(), z.array(z.number().int()).min(1)]).default(200),
  body_contains: z.string().optional(),
  /** Judge a field of the JSON answer (e.g. `.latency_ms`) with the tolerance fields. */
  json_path: z.string().min(1).optional(),
  ...toleranceFields,
  ...probeCommon,
});

const evalProbe = z.strictObject({
  type: z.literal('eval'),
  /** The doc-QA service to replay the eval suite against. */
  target: z.url(),
  cases: z.string().optional(),
  /** The pass rate (0..1) the suite must reach; defaults to the suite's own gates. */
  min_pass_rate: z.number().min(0).max(1).optional(),
  ...probeCommon,
});

export const probeSchema = z.discriminatedUnion('type', [
  k8sProbe,
  argoAppProbe,
  rolloutProbe,
  prometheusProbe,
  httpProbe,
  evalProbe,
]);
export type Probe = z.infer<typeof probeSchema>;
export type ProbeType = Probe['type'];

/** A probe named in the `probes:` map, or written inline. */
export const probeUseSchema = z.union([name, probeSchema]);
export type ProbeUse = z.infer<typeof probeUseSchema>;

const actionCommon = { description: z.string().optional() };
/**
 * How long a Git or Kubernetes action may take before it counts as failed (defaults: 60s for Kubernetes writes,
 * 120s for Git). A `wait` has no such field: its own `duration` or `timeout` bounds it.
 */
const actionLimit = { timeout: durationSchema.optional() };

/** Dotted YAML path inside a file: `spec.syncPolicy.automated`, `spec.template.spec.containers[0].image`. */
const yamlPath = z.string().min(1);

const gitEdit = z
  .strictObject({
    file: z.string().min(1),
    /** Paths to set, each to its value. */
    set: z.record(yamlPath, z.unknown()).optional(),
    /** Paths to remove. */
    delete: z.array(yamlPath).optional(),
    /** When the file holds several YAML documents: which one (by kind and/or name). */
    document: z.strictObject({ kind: z.string().optional(), name: z.string().optional() }).optional(),
  })
  .refine((e) => e.set !== undefined || e.delete !== undefined, {
    message: 'an edit needs `set` or `delete`',
  });

const gitAction = z.strictObject({
  type: z.literal('git'),
  message: z.string().min(1),
  edits: z.array(gitEdit).min(1),
  ...actionLimit,
  ...actionCommon,
});

const gitRevertAction = z.strictObject({
  type: z.literal('git-revert'),
  /** Reverts every commit (newest first) whose subject contains this text and that is not reverted yet. */
  match: z.string().min(1),
  ...actionLimit,
  ...actionCommon,
});

const patchAction = z.strictObject({
  type: z.literal('patch'),
  target: objectRefSchema,
  patch_type: z.enum(['merge', 'json']).default('merge'),
  patch: z.union([z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown()))]),
  ...actionLimit,
  ...actionCommon,
});

const scaleAction = z.strictObject({
  type: z.literal('scale'),
  target: objectRefSchema,
  replicas: z.number().int().min(0),
  ...actionLimit,
  ...actionCommon,
});

const deleteAction = z.strictObject({
  type: z.literal('delete'),
  target: objectRefSchema,
  ignore_missing: z.boolean().default(true),
  ...actionLimit,
  ...actionCommon,
});

const annotateAction = z.strictObject({
  type: z.literal('annotate'),
  target: objectRefSchema,
  /** A null value removes the annotation. */
  annotations: z.record(z.string(), z.union([z.string(), z.null()])),
  ...actionLimit,
  ...actionCommon,
});

const waitAction = z
  .strictObject({
    type: z.literal('wait'),
    /** Wait this long. */
    duration: durationSchema.optional(),
    /** Or wait until this probe passes (at most `timeout`). */
    until: probeUseSchema.optional(),
    timeout: durationSchema.default('2m'),
    interval: durationSchema.default('2s'),
    ...actionCommon,
  })
  .refine((w) => (w.duration === undefined) !== (w.until === undefined), {
    message: 'a wait needs exactly one of `duration` or `until`',
  });

export const actionSchema = z.union([
  gitAction,
  gitRevertAction,
  patchAction,
  scaleAction,
  deleteAction,
  annotateAction,
  waitAction,
]);
export type Action = z.infer<typeof actionSchema>;
export type ActionType = Action['type'];

/** The expectation vocabulary of `observe.expect`: exactly one verb per entry. */
export const expectationVerbs = ['holds', 'eventually', 'reaches', 'changes', 'flaps'] as const;
export type ExpectationVerb = (typeof expectationVerbs)[number];

const expectation = z
  .strictObject({
    probe: probeUseSchema,
    /** The probe passes on every sample. */
    holds: z.literal(true).optional(),
    /** The probe passes on at least one sample. */
    eventually: z.literal(true).optional(),
    /** The probe's value equals this on at least one sample. */
    reaches: scalar.optional(),
    /** The value changes at least `min` and at most `max` times (true means at least once; `max: 0`: it stays put). */
    changes: z
      .union([
        z.literal(true),
        z
          .strictObject({ min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() })
          .refine((c) => c.min !== undefined || c.max !== undefined, { message: 'give `min`, `max` or both' })
          .refine((c) => c.min === undefined || c.max === undefined || c.min <= c.max, {
            message: '`min` must not exceed `max`',
          }),
      ])
      .optional(),
    /** The value switches between low and high at least `times` times. */
    flaps: z
      .strictObject({
        between: z.tuple([scalar, scalar]),
        times: z.number().int().min(1).default(2),
      })
      .optional(),
    /** Only samples taken within this long of the start of the window count. */
    within: durationSchema.optional(),
    description: z.string().optional(),
  })
  .superRefine((e, ctx) => {
    const verbs = expectationVerbs.filter((v) => e[v] !== undefined);
    if (verbs.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `an expectation needs exactly one of ${expectationVerbs.join(', ')}${verbs.length ? ` (got ${verbs.join(', ')})` : ''}`,
      });
    }
  });
export type Expectation = z.infer<typeof expectation>;

export const drillSchema = z.strictObject({
  name,
  title: z.string().min(1),
  /** The lesson, in two sentences. */
  teaches: z.string().min(1),
  /** The handbook page that explains the drill and the fix, e.g. handbook/drill-argo-vs-hpa.md. */
  runbook: z.string().min(1),
  /** The fix, as the report states it. */
  fix: z.string().min(1),
  /** Reusable probes, referenced by name anywhere a probe is expected. */
  probes: z.record(name, probeSchema).default({}),
  /** Checked first; if one fails the drill does not start (exit 3). */
  preconditions: z.array(probeUseSchema).default([]),
  steady_state: z.strictObject({
    hypothesis: z.string().min(1),
    probes: z.array(probeUseSchema).min(1),
  }),
  inject: z.array(actionSchema).min(1),
  observe: z.strictObject({
    window: durationSchema,
    interval: durationSchema.default('5s'),
    /** End the window early once every expectation is met (holds are checked up to then). */
    stop_when_met: z.boolean().default(false),
    expect: z.array(expectation).min(1),
    /** Probes sampled for the timeline and report only, with no expectation. */
    record: z.array(probeUseSchema).default([]),
  }),
  rollback: z.array(actionSchema).min(1),
  verify: z
    .strictObject({
      /** Defaults to the steady-state probes. */
      probes: z.array(probeUseSchema).optional(),
      /** How long recovery may take before the steady state must hold again. */
      within: durationSchema.default('2m'),
      interval: durationSchema.default('5s'),
    })
    .default({ within: '2m', interval: '5s' }),
  /** Limit for preconditions through observe; on timeout the drill is aborted and rolled back. */
  timeout: durationSchema.default('10m'),
});

export type DrillFile = z.infer<typeof drillSchema>;
