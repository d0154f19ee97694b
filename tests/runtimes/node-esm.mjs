// Node, Deno and Bun: `import 'llm-files'` from an installed tarball.
import { LlmFiles, LlmFilesError } from 'llm-files';
import { scenario } from './scenario.mjs';

const runtime = typeof Deno !== 'undefined' ? 'deno' : typeof Bun !== 'undefined' ? 'bun-esm' : 'node-esm';
const mock = typeof Deno === 'undefined' ? process.argv[2] : Deno.args[0];
console.log(JSON.stringify(await scenario({ LlmFiles, LlmFilesError }, mock, runtime)));
