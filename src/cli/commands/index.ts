import type { Command } from 'commander';
import { registerCanary } from './canary.js';
import { registerDoctor } from './doctor.js';
import { registerDown } from './down.js';
import { registerDrill } from './drill.js';
import { registerEval } from './eval.js';
import { registerLint } from './lint.js';
import { registerPin } from './pin.js';
import { registerServe } from './serve.js';
import { registerSimDaemon } from './sim-daemon.js';
import { registerStatus } from './status.js';
import { registerUp } from './up.js';

/** Registers every command of the command-line contract (README.md "Commands"), in the order a newcomer meets them. */
export function registerCommands(program: Command): void {
  registerUp(program);
  registerDown(program);
  registerStatus(program);
  registerDoctor(program);
  registerDrill(program);
  registerEval(program);
  registerCanary(program);
  registerLint(program);
  registerServe(program);
  registerPin(program);
  registerSimDaemon(program);
}
