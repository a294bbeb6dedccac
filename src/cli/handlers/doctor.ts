/** `gitops-lab doctor`: runs the checks `up` needs and lists them with versions and fixes; exit 0 ok, 3 missing. */
import { z } from 'zod';
import { ExitCode } from '../../errors.js';
import { loadConfig } from '../../lab/config.js';
import { runDoctor } from '../../lab/doctor/index.js';
import { contextOption } from '../option-schemas.js';
import { defaultStreams, type OutputStreams, paint, writeJson, writeLine } from '../output.js';
import { parseOptions } from '../validate.js';
import { findingLine } from '../views/up-findings.js';

const DoctorOptionsSchema = z.object({
  json: z.boolean().default(false),
  context: contextOption,
});

export async function run(
  rawOptions: Record<string, unknown>,
  streams: OutputStreams = defaultStreams,
): Promise<void> {
  const options = parseOptions(DoctorOptionsSchema, rawOptions, 'doctor');
  const config = await loadConfig({ context: options.context });
  const report = await runDoctor(config);
  process.exitCode = report.ok ? ExitCode.ok : ExitCode.precondition;
  if (options.json) {
    writeJson(report, streams.stdout);
    return;
  }
  const out = streams.stdout;
  for (const f of report.findings) writeLine(findingLine(f, out), out);
  if (report.labCluster.name)
    writeLine(
      `${paint('gray', '·', out)} lab cluster ${report.labCluster.name}: ${report.labCluster.exists ? 'exists (`gitops-lab status`)' : 'not created yet (`gitops-lab up`)'}`,
      out,
    );
  const { kind, simulated } = report.modes;
  writeLine(paint('bold', '\nWays to run the lab', out), out);
  writeLine(
    `  ${kind.available ? paint('green', '✓', out) : paint('red', '✗', out)} ${config.context ? `lab in context ${config.context}` : 'kind lab'} (\`gitops-lab up\`): ${kind.available ? 'available' : `needs ${kind.needs.join(', ')}`}`,
    out,
  );
  writeLine(
    `  ${simulated.available ? paint('green', '✓', out) : paint('red', '✗', out)} simulated lab (\`gitops-lab up --simulate\`): ${
      simulated.available
        ? `available (Prometheus: ${simulated.prometheus === 'real' ? `real, ${simulated.prometheusPath}` : "simulated; install Debian's prometheus package for real analysis metrics"})`
        : simulated.detail
    }`,
    out,
  );
  const missing = report.findings.filter((f) => f.required && !f.ok).length;
  writeLine(
    report.ok
      ? paint('green', '\nReady for `gitops-lab up`.', out)
      : paint(
          'red',
          `\n${missing} thing${missing === 1 ? '' : 's'} to fix before \`gitops-lab up\`${simulated.available ? '; `gitops-lab up --simulate` works now' : ''}.`,
          out,
        ),
    out,
  );
}
