// Shared by the node --test suites: one mock per suite, a client per provider, fault injection.
import { LlmFiles } from 'llm-files';
import { startMock } from '../mock/server.mjs';

export const KEY = 'sk-test-SECRET-key-0123456789';
export const PROVIDERS = ['minimax', 'moonshot', 'zhipu', 'openai'];
/** A purpose each provider lists and can download. */
export const PURPOSE = { minimax: 't2a_async_input', moonshot: 'file-extract', zhipu: 'batch', openai: 'batch' };
/** A second listable purpose per provider. */
export const OTHER = { minimax: 'voice_clone', moonshot: 'batch', zhipu: 'agent', openai: 'assistants' };

export async function mock(t) {
  const m = await startMock();
  t.after(() => m.close());
  return m;
}

export function client(m, provider, options = {}) {
  return new LlmFiles({ provider, apiKey: KEY, baseURL: m.base(provider), ...options });
}

export function fault(m, ...specs) {
  for (const s of specs) m.state.faults.push({ times: 1, ...s });
}

/** Requests the mock saw for `provider` (optionally only `op`). */
export function seen(m, provider, op) {
  return m.state.log.filter((e) => e.provider === provider && (!op || e.op === op));
}

/** The size of the package's wasm memory, in bytes (the loader hands back its instance when asked again). */
export async function wasmMemory() {
  const { initSync } = await import('../../pkg/llm_files.js');
  return () => initSync({ module: new Uint8Array() }).memory.buffer.byteLength;
}

/** Collects garbage and lets the FinalizationRegistry callbacks run (they run after a collection, on a later task). */
export async function settleGarbage() {
  const { setFlagsFromString } = await import('node:v8');
  const { runInNewContext } = await import('node:vm');
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves to the error a promise rejects with; fails when it resolves. */
export async function rejection(p) {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection, got a result');
}

/** Asserts the key appears nowhere in what an error exposes. */
export function assertNoKey(assert, e) {
  for (const text of [e.message, e.stack, JSON.stringify(e), String(e), JSON.stringify(e.raw)]) {
    assert.ok(!String(text).includes(KEY), `key leaked into: ${text}`);
  }
}
