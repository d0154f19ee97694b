// The types of `llm-files/init`: the browser entry without top-level await (service workers refuse it).
export * from './index.js';

/** Loads the wasm that sits next to this module; await it before the first `new LlmFiles` or `LlmFiles.capabilities` (calling it again is harmless). */
export function init(): Promise<void>;
