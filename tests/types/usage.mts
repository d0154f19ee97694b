// Compiled with tsc --strict --noEmit: proves the shipped .d.ts describes the API (and refuses misuse).
import { LlmFiles, LlmFilesError } from 'llm-files';
import type { FileObject, FileList, FileDeleted, Capabilities, ErrorKind, Provider, ProviderPurposes, Purpose } from 'llm-files';
import { init, LlmFiles as LlmFilesAfterInit } from 'llm-files/init';

const client = new LlmFiles({
  provider: 'zhipu',
  apiKey: 'k',
  baseURL: 'http://127.0.0.1:1/zhipu/api/paas/v4',
  timeout: 1000,
  maxRetries: 1,
  defaultHeaders: { 'X-App': 'demo' },
  fetch: (input, init) => fetch(input, init),
});
new LlmFiles({ provider: 'minimax', apiKey: 'k', groupId: '1790000000000000001' });
// @ts-expect-error a GroupId is a string: as a number it would be rounded
new LlmFiles({ provider: 'minimax', apiKey: 'k', groupId: 1790000000000000001 });

export async function use(signal: AbortSignal): Promise<number> {
  const created: FileObject = await client.files.create({ file: new Blob(['x']), purpose: 'batch', filename: 'a.jsonl' });
  await client.files.create({ file: 'text', purpose: 'a-purpose-from-next-year', filename: 'b.txt' }, { signal, timeout: 10, headers: { traceparent: 't' } });
  // @ts-expect-error: header values are strings
  await client.files.list({}, { headers: { 'X-Count': 1 } });
  await client.files.create({ file: new Uint8Array(3), purpose: 'batch', filename: 'c' }, { onUploadProgress: (loaded: number, total: number) => void (loaded / total) });
  const page: FileList = await client.files.list({ purpose: 'batch', limit: 10 });
  const first: string | undefined = page.data[0]?.id;
  const more: boolean = page.has_more;
  for await (const f of client.files.listAll()) {
    const size: number = f.bytes;
    const p: Provider = f.provider;
    void size, p;
  }
  const r: FileObject = await client.files.retrieve(created.id);
  const res: Response = await client.files.content(r.id);
  const text: string = await res.text();
  const del: FileDeleted = await client.files.delete(created.id, { purpose: 'batch' });
  const yes: true = del.deleted;
  const caps: Capabilities = LlmFiles.capabilities('minimax');
  const how: 'native' | 'emulated' | 'unsupported' = caps.operations.retrieve;
  const top: 'native' | 'emulated' | 'unsupported' = caps.retrieve;
  const after: string = caps.params.list.after;
  const uploads: string[] = caps.purposes.create;
  const listable: string[] | 'any' = caps.purposes.list;
  const stored: number | undefined = caps.limits.maxFiles;
  const perFile: number | undefined = caps.limits.maxFileBytes['*'];
  // @ts-expect-error: capabilities have no such field
  void caps.retention;
  void first, more, text, yes, how, top, after, uploads, listable, stored, perFile;
  try {
    await client.files.list();
  } catch (e) {
    if (e instanceof LlmFilesError) {
      const kind: ErrorKind = e.kind;
      const status: number | null = e.status;
      const id: string | null = e.requestId;
      const retry: boolean = e.retryable;
      const who: Provider | null = e.provider;
      // @ts-expect-error: null when the options named no known provider
      const sure: Provider = e.provider;
      void kind, status, id, retry, who, sure, e.attempts, e.code, e.raw;
    }
  }
  return created.created_at;
}

// A literal provider narrows the client: its files' provider, and the purposes offered per operation.
export async function narrowed(anyProvider: Provider): Promise<void> {
  const zhipu = new LlmFiles({ provider: 'zhipu', apiKey: 'k' });
  const f = await zhipu.files.retrieve('x');
  const mine: 'zhipu' = f.provider;
  // @ts-expect-error: a Zhipu client's files are Zhipu's
  const other: 'minimax' = f.provider;
  const page: FileList<'zhipu'> = await zhipu.files.list({ purpose: 'agent' });
  // A narrowed client is still an LlmFiles, and one made from a Provider-typed value takes every provider's purposes.
  const wide: LlmFiles = zhipu;
  const made: LlmFiles<Provider> = new LlmFiles({ provider: anyProvider, apiKey: 'k' });
  await made.files.create({ file: 'x', purpose: 'voice_clone', filename: 'a.mp3' });
  const listable: ProviderPurposes['zhipu']['list'] = 'agent';
  // @ts-expect-error: Zhipu documents no listing of voice-clone-input
  const notListable: ProviderPurposes['zhipu']['list'] = 'voice-clone-input';
  // @ts-expect-error: MiniMax documents no delete of video_understanding files
  const notDeletable: ProviderPurposes['minimax']['delete'] = 'video_understanding';
  const later: Purpose<'minimax', 'create'> = 'a-purpose-from-next-year';
  void mine, other, page, wide, listable, notListable, notDeletable, later;
  // `raw` is the provider's own object: MiniMax's has file_id (maybe rounded) and download_url, the others OpenAI's fields.
  const m = await new LlmFiles({ provider: 'minimax', apiKey: 'k' }).files.retrieve('1');
  const link: string | undefined = m.raw.download_url;
  const rounded: number | string = m.raw.file_id;
  // @ts-expect-error: MiniMax's raw file_id may be a rounded number; the exact id is `id`
  const exact: string = m.raw.file_id;
  const status: string | null | undefined = f.raw.status;
  const zhipuId: string = f.raw.id;
  // @ts-expect-error: a field no provider documents is unknown
  const guessed: string = f.raw.file_id;
  const anyRaw: unknown = (await made.files.retrieve('x')).raw.id;
  void link, rounded, exact, status, zhipuId, guessed, anyRaw;
  // listAll's walk can be stepped by hand and ended early.
  const walk = zhipu.files.listAll({ purpose: 'batch' });
  const step = await walk.next();
  const firstZhipu: FileObject<'zhipu'> | void = step.value;
  await walk.return();
  void firstZhipu;
}

// `llm-files/init` (service workers): the same API once `init()` has loaded the wasm.
export async function afterInit(): Promise<FileObject<'moonshot'>> {
  const loaded: void = await init();
  void loaded;
  return new LlmFilesAfterInit({ provider: 'moonshot', apiKey: 'k' }).files.retrieve('x');
}

// @ts-expect-error: unknown provider
new LlmFiles({ provider: 'acme', apiKey: 'k' });
// @ts-expect-error: apiKey is required
new LlmFiles({ provider: 'moonshot' });
// @ts-expect-error: purpose is required
client.files.create({ file: 'x', filename: 'a' });
// @ts-expect-error: numbers are not files
client.files.create({ file: 42, purpose: 'batch' });
// @ts-expect-error: ids are strings
client.files.retrieve(42);
// An order other than 'asc' or 'desc' is refused at run time, except on Zhipu, which has its own values.
await client.files.list({ order: 'created_at' });
await new LlmFiles({ provider: 'openai', apiKey: 'k' }).files.list({ order: 'desc' });
// @ts-expect-error: OpenAI sorts by 'asc' or 'desc' only
await new LlmFiles({ provider: 'openai', apiKey: 'k' }).files.listAll({ order: 'DESC' });
const anyProvider = new LlmFiles({ provider: 'moonshot' as Provider, apiKey: 'k' });
await anyProvider.files.list({ order: 'created_at' });
// @ts-expect-error: list resolves to a page, not an array
const wrong: FileObject[] = await client.files.list();
void wrong;

// Values that may be unset (an environment variable, an optional argument) pass as they are: every optional input
// also takes `undefined`, which tsconfig.exact.json's `exactOptionalPropertyTypes` would otherwise refuse.
export async function unset(u: { s?: string; n?: number; o?: 'asc' | 'desc'; signal?: AbortSignal; progress?: (l: number, t: number) => void }): Promise<void> {
  const c = new LlmFiles({ provider: 'moonshot', apiKey: 'k', baseURL: u.s, timeout: u.n, maxRetries: u.n, defaultHeaders: undefined, fetch: undefined, groupId: u.s });
  const options = { signal: u.signal, timeout: u.n, maxRetries: u.n, onUploadProgress: u.progress, headers: undefined };
  await c.files.create({ file: 'x', purpose: 'file-extract', filename: u.s }, options);
  await c.files.list({ purpose: u.s, limit: u.n, after: u.s, order: u.o }, options);
  await c.files.delete('x', { purpose: u.s }, options);
}
