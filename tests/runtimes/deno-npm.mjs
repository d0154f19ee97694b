// Deno's own way in: an `npm:` specifier, fetched by Deno from a registry (run.mjs serves the packed tarball as one).
import { LlmFiles, LlmFilesError } from 'npm:llm-files';
import * as sub from 'npm:llm-files/init';
import { scenario } from './scenario.mjs';

const results = await scenario({ LlmFiles, LlmFilesError }, Deno.args[0], 'deno-npm');
// `llm-files/init` is the same entry here, with an init() that has nothing to load.
const same = sub.LlmFiles === LlmFiles && (await sub.init()) === undefined;
results.push({ name: 'npm:llm-files/init: the same classes, init() resolves', ok: same, error: 'a second instance or no init()' });
console.log(JSON.stringify(results));
