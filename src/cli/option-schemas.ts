/**
 * Option schemas several command handlers share. Imported by handlers only (zod stays off the --help path).
 */
import { z } from 'zod';

/** `--context NAME`: the kube context of the lab. */
export const contextOption = z.string().trim().min(1, { error: 'expected a context name' }).optional();
