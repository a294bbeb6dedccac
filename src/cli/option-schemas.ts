/**
 * Option schemas several command handlers share. Imported by handlers only (zod stays off the --help path).
 */
import { z } from 'zod';

/** `--context NAME`: the kube context of the lab. */
export const contextOption = z.string().trim().min(1, { error: 'expected a context name' }).optional();

/** `--speed N`: a simulated lab's speed, a number above 0 (20 runs simulated time 20 times faster). */
export const speedOption = z.coerce
  .number({ error: 'expected a number above 0, such as 20' })
  .positive({ error: 'expected a number above 0, such as 20' })
  .optional();

/** `--rollout NAMESPACE/NAME`: a Rollout of the lab, when several would do. */
export const rolloutOption = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/, {
    message: 'expected NAMESPACE/NAME, e.g. docqa/docqa',
  })
  .optional();
