/**
 * How the HorizontalPodAutoscaler controller turns the replica count its metrics ask for into the count it sets
 * (Kubernetes v1.33, pkg/controller/podautoscaler/horizontal.go). Pure functions over the controller's memory of
 * past recommendations and scale events; times are milliseconds on the lab's clock. Go's `After`/`Before` are
 * strict, and Go's int32(float) truncates: both kept.
 */

/** One unstabilized recommendation the controller remembers (timestampedRecommendation). */
export interface Recommendation {
  replicas: number;
  at: number;
}

/** One scale the controller made (timestampedScaleEvent): a positive change, up or down by its list. */
export interface ScaleEvent {
  change: number;
  at: number;
  outdated: boolean;
}

export interface ScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

/** spec.behavior.scaleUp / scaleDown with every field filled in. */
export interface ScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: 'Max' | 'Min' | 'Disabled';
  policies: ScalingPolicy[];
}

/** A normalized count, and the ScalingLimited condition's reason and message for it. */
export interface Limited {
  replicas: number;
  reason: string;
  message: string;
}

const SCALE_UP_LIMIT_FACTOR = 2;
const SCALE_UP_LIMIT_MINIMUM = 4;

const WITHIN_RANGE = {
  reason: 'DesiredWithinRange',
  message: 'the desired count is within the acceptable range',
};
const TOO_FEW = {
  reason: 'TooFewReplicas',
  message: 'the desired replica count is less than the minimum replica count',
};
const TOO_MANY = {
  reason: 'TooManyReplicas',
  message: 'the desired replica count is more than the maximum replica count',
};
const UP_LIMIT = {
  reason: 'ScaleUpLimit',
  message: 'the desired replica count is increasing faster than the maximum scale rate',
};
const DOWN_LIMIT = {
  reason: 'ScaleDownLimit',
  message: 'the desired replica count is decreasing faster than the maximum scale rate',
};

/** Puts `entry` in the slot of the last outdated one, or appends it (the controller reuses one old slot). */
function keep<T>(log: T[], entry: T, outdated: number): void {
  if (outdated >= 0) log[outdated] = entry;
  else log.push(entry);
}

/**
 * stabilizeRecommendation (an HPA without spec.behavior): the highest recommendation not older than the
 * downscale stabilization window (--horizontal-pod-autoscaler-downscale-stabilization, 5 min), the new one
 * included; the new one is remembered in place of an old one.
 */
export function stabilizeRecommendation(
  log: Recommendation[],
  desired: number,
  now: number,
  windowMs: number,
): number {
  const cutoff = now - windowMs;
  let highest = desired;
  let outdated = -1;
  log.forEach((rec, i) => {
    if (rec.at < cutoff) outdated = i;
    else if (rec.replicas > highest) highest = rec.replicas;
  });
  keep(log, { replicas: desired, at: now }, outdated);
  return highest;
}

/** calculateScaleUpLimit: without spec.behavior an HPA at most doubles, or goes to 4, in one step. */
export function scaleUpLimit(current: number): number {
  return Math.trunc(Math.max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM));
}

/** convertDesiredReplicasWithRules: min and max, and the scale-up limit, for an HPA without spec.behavior. */
export function convertDesiredReplicasWithRules(
  current: number,
  desired: number,
  min: number,
  max: number,
): Limited {
  const upLimit = scaleUpLimit(current);
  const [maximum, limit] = max > upLimit ? [upLimit, UP_LIMIT] : [max, TOO_MANY];
  if (desired < min) return { replicas: min, ...TOO_FEW };
  if (desired > maximum) return { replicas: maximum, ...limit };
  return { replicas: desired, ...WITHIN_RANGE };
}

/** What the API server fills in of spec.behavior.scaleUp (pkg/apis/autoscaling/v2/defaults.go GenerateHPAScaleUpRules). */
export function scaleUpRules(given: Partial<ScalingRules> | undefined): ScalingRules {
  return {
    stabilizationWindowSeconds: given?.stabilizationWindowSeconds ?? 0,
    selectPolicy: given?.selectPolicy ?? 'Max',
    policies: given?.policies ?? [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  };
}

/**
 * spec.behavior.scaleDown as the controller reads it: the API server's defaults (GenerateHPAScaleDownRules: Max,
 * 100% per 15 s) and, with no window given, the controller's downscale stabilization window
 * (maybeInitScaleDownStabilizationWindow).
 */
export function scaleDownRules(
  given: Partial<ScalingRules> | undefined,
  windowSeconds: number,
): ScalingRules {
  return {
    stabilizationWindowSeconds: given?.stabilizationWindowSeconds ?? windowSeconds,
    selectPolicy: given?.selectPolicy ?? 'Max',
    policies: given?.policies ?? [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  };
}

export interface BehaviorArgs {
  up: ScalingRules;
  down: ScalingRules;
  min: number;
  max: number;
  current: number;
  desired: number;
}

/**
 * stabilizeRecommendationWithBehaviors: the lowest recommendation of the scale-up window and the highest of the
 * scale-down window bound the current count; the new recommendation is remembered in place of one older than both
 * windows. The reason and message are those of the AbleToScale condition when the result differs from `desired`.
 */
export function stabilizeWithBehaviors(log: Recommendation[], args: BehaviorArgs, now: number): Limited {
  const upCutoff = now - args.up.stabilizationWindowSeconds * 1000;
  const downCutoff = now - args.down.stabilizationWindowSeconds * 1000;
  let up = args.desired;
  let down = args.desired;
  let outdated = -1;
  log.forEach((rec, i) => {
    if (rec.at > upCutoff) up = Math.min(rec.replicas, up);
    if (rec.at > downCutoff) down = Math.max(rec.replicas, down);
    if (rec.at < upCutoff && rec.at < downCutoff) outdated = i;
  });
  let replicas = args.current;
  if (replicas < up) replicas = up;
  if (replicas > down) replicas = down;
  keep(log, { replicas: args.desired, at: now }, outdated);
  return args.desired >= args.current
    ? {
        replicas,
        reason: 'ScaleUpStabilized',
        message:
          'recent recommendations were lower than current one, applying the lowest recent recommendation',
      }
    : {
        replicas,
        reason: 'ScaleDownStabilized',
        message:
          'recent recommendations were higher than current one, applying the highest recent recommendation',
      };
}

/** getReplicasChangePerPeriod: the replicas added (or removed) by the events of the last `periodSeconds`. */
export function replicasChangePerPeriod(periodSeconds: number, events: ScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  return events.reduce((sum, e) => (e.at > cutoff ? sum + e.change : sum), 0);
}

/** The scale events an HPA with spec.behavior made, up and down (scaleUpEvents, scaleDownEvents). */
export interface ScaleEvents {
  up: ScaleEvent[];
  down: ScaleEvent[];
}

/** The count at the start of a policy's period: scales up within it taken back, scales down put back. */
function periodStart(current: number, events: ScaleEvents, periodSeconds: number, now: number): number {
  return (
    current -
    replicasChangePerPeriod(periodSeconds, events.up, now) +
    replicasChangePerPeriod(periodSeconds, events.down, now)
  );
}

const MAX_INT32 = 2 ** 31 - 1;
const MIN_INT32 = -(2 ** 31);

/**
 * What the policies allow now (calculateScaleUpLimitWithScalingRules, calculateScaleDownLimitWithBehaviors): each
 * policy proposes a count from the count at the start of its period; `Max` takes the proposal that changes most (the
 * highest up, the lowest down), `Min` the one that changes least, `Disabled` the current count.
 */
function policyLimit(
  current: number,
  events: ScaleEvents,
  rules: ScalingRules,
  now: number,
  up: boolean,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const highest = up === (rules.selectPolicy !== 'Min');
  let result = highest ? MIN_INT32 : MAX_INT32;
  for (const { type, value, periodSeconds } of rules.policies) {
    const start = periodStart(current, events, periodSeconds, now);
    // Up, a percentage rounds up (or a small count would never grow); down, Go's int32() truncates.
    const proposed = up
      ? type === 'Pods'
        ? start + value
        : Math.ceil(start * (1 + value / 100))
      : type === 'Pods'
        ? start - value
        : Math.trunc(start * (1 - value / 100));
    result = highest ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** The most replicas the scale-up policies allow now. */
export function scaleUpLimitWithRules(
  current: number,
  events: ScaleEvents,
  rules: ScalingRules,
  now: number,
): number {
  return policyLimit(current, events, rules, now, true);
}

/** The fewest replicas the scale-down policies allow now. */
export function scaleDownLimitWithRules(
  current: number,
  events: ScaleEvents,
  rules: ScalingRules,
  now: number,
): number {
  return policyLimit(current, events, rules, now, false);
}

/** convertDesiredReplicasWithBehaviorRate: min, max and the policies' rate, for an HPA with spec.behavior. */
export function convertWithBehaviorRate(args: BehaviorArgs, events: ScaleEvents, now: number): Limited {
  if (args.desired > args.current) {
    const limit = Math.max(scaleUpLimitWithRules(args.current, events, args.up, now), args.current);
    const [maximum, why] = args.max > limit ? [limit, UP_LIMIT] : [args.max, TOO_MANY];
    if (args.desired > maximum) return { replicas: maximum, ...why };
  } else if (args.desired < args.current) {
    const limit = Math.min(scaleDownLimitWithRules(args.current, events, args.down, now), args.current);
    const [minimum, why] = args.min < limit ? [limit, DOWN_LIMIT] : [args.min, TOO_FEW];
    if (args.desired < minimum) return { replicas: minimum, ...why };
  }
  return { replicas: args.desired, ...WITHIN_RANGE };
}

/**
 * storeScaleEvent: remembers a scale of an HPA with spec.behavior in its direction's list, in the slot of an event
 * older than the direction's longest policy period (markScaleEventsOutdated) when there is one.
 */
export function storeScaleEvent(
  events: ScaleEvent[],
  rules: ScalingRules,
  change: number,
  now: number,
): void {
  const longest = Math.max(0, ...rules.policies.map((p) => p.periodSeconds));
  const cutoff = now - longest * 1000;
  let outdated = -1;
  events.forEach((event, i) => {
    if (event.at < cutoff) event.outdated = true;
    if (event.outdated) outdated = i;
  });
  keep(events, { change, at: now, outdated: false }, outdated);
}
