// A dedicated module worker: no document, XMLHttpRequest still there, relative URLs read against the worker's location.
import { LlmFiles, LlmFilesError } from '/node_modules/llm-files/pkg/browser.js';
import { scenario } from '/scenario.mjs';

const mock = new URLSearchParams(location.search).get('mock');
postMessage(await scenario({ LlmFiles, LlmFilesError }, mock, 'webworker'));
