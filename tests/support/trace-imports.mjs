// Preloaded with `node --import` to record every module a process resolves (used by the start-up test).
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
      export async function resolve(specifier, context, next) {
        const result = await next(specifier, context);
        process.stderr.write('[import] ' + result.url + '\\n');
        return result;
      }`),
  import.meta.url,
);
