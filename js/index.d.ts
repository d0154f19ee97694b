// The types of llm-files, written by hand: one JSDoc line per field.
/** A platform llm-files speaks to. */
export type Provider = 'minimax' | 'moonshot' | 'zhipu' | 'openai';

/** The purposes each provider documents, per operation (as `LlmFiles.capabilities(provider).purposes` lists them). */
export interface ProviderPurposes {
  /** MiniMax: each operation has its own set. */
  minimax: {
    /** Uploads. */
    create: 'voice_clone' | 'prompt_audio' | 't2a_async_input' | 'video_understanding' | 'video_generation_input';
    /** Listings (one request per purpose). */
    list: 'voice_clone' | 'prompt_audio' | 't2a_async_input' | 'video_generation_input';
    /** Deletes, outputs of async TTS and video tasks included. */
    delete: 'voice_clone' | 'prompt_audio' | 't2a_async' | 't2a_async_input' | 'video_generation';
  };
  /** Moonshot: its upload purposes everywhere. */
  moonshot: {
    /** Uploads. */
    create: 'file-extract' | 'image' | 'video' | 'batch';
    /** Listings (applied by the client). */
    list: 'file-extract' | 'image' | 'video' | 'batch';
    /** Deletes (which need no purpose). */
    delete: 'file-extract' | 'image' | 'video' | 'batch';
  };
  /** Zhipu: voice-clone-input cannot be listed. */
  zhipu: {
    /** Uploads. */
    create: 'batch' | 'code-interpreter' | 'agent' | 'voice-clone-input';
    /** Listings. */
    list: 'batch' | 'code-interpreter' | 'agent';
    /** Deletes (which need no purpose). */
    delete: 'batch' | 'code-interpreter' | 'agent' | 'voice-clone-input';
  };
  /** OpenAI-compatible hosts: OpenAI's upload purposes everywhere. */
  openai: {
    /** Uploads. */
    create: 'assistants' | 'batch' | 'fine-tune' | 'vision' | 'user_data' | 'evals';
    /** Listings. */
    list: 'assistants' | 'batch' | 'fine-tune' | 'vision' | 'user_data' | 'evals';
    /** Deletes (which need no purpose). */
    delete: 'assistants' | 'batch' | 'fine-tune' | 'vision' | 'user_data' | 'evals';
  };
}

/** A file purpose: those `P` documents for `Op` autocomplete, any other string is passed through to the provider. */
export type Purpose<P extends Provider = Provider, Op extends 'create' | 'list' | 'delete' = 'create' | 'list' | 'delete'> =
  | ProviderPurposes[P][Op]
  | (string & {});

/** Options of `new LlmFiles()`. Every optional input field here and below also takes `undefined`, which reads as absent
 *  (so `exactOptionalPropertyTypes` projects can pass an unset value). */
export interface LlmFilesOptions<P extends Provider = Provider> {
  /** Which platform to call; a literal (`'moonshot'`) narrows the client's purposes and its files' `provider`. */
  provider: P;
  /** The API key, sent as `Authorization: Bearer <apiKey>`; never shown in errors. */
  apiKey: string;
  /** Replaces the provider's default base URL (http or https, no credentials or query; in a browser page or Web Worker also a path, such as a same-origin proxy's, read against the page's URL or the worker's location; a MiniMax base ending in `/v1` is read without it). */
  baseURL?: string | undefined;
  /** Milliseconds each attempt may take, body included; default 600000. */
  timeout?: number | undefined;
  /** Retries after the first attempt for retryable failures; default 2. */
  maxRetries?: number | undefined;
  /** Headers sent on every request; not Authorization or Content-Type, which the client sets itself (one name given twice in different case: the later is sent). */
  defaultHeaders?: Record<string, string> | undefined;
  /** A fetch to use instead of the global one; called with `this === undefined`. */
  fetch?: typeof fetch | undefined;
  /** MiniMax only: the legacy `GroupId` (decimal digits, as a string) appended to every URL, for old keys and hosts. */
  groupId?: string | undefined;
}

/** Options of one call. */
export interface RequestOptions {
  /** Aborts the call, including waits between retries; never retried. */
  signal?: AbortSignal | undefined;
  /** Milliseconds each attempt may take, overriding the client's. */
  timeout?: number | undefined;
  /** Retries for this call, overriding the client's. */
  maxRetries?: number | undefined;
  /** Headers for this call's requests, added to the client's `defaultHeaders` (replacing one of the same name, in any case); not Authorization or Content-Type. */
  headers?: Record<string, string> | undefined;
  /** Upload progress for `files.create`, in file bytes: in browsers from XMLHttpRequest upload events, elsewhere 0 at the start and the total at completion. */
  onUploadProgress?: ((loaded: number, total: number) => void) | undefined;
}

/** A file, with OpenAI's field names. */
export interface FileObject<P extends Provider = Provider> {
  /** The id, always a string (MiniMax's int64 ids in exact decimal). */
  id: string;
  /** Always `'file'`. */
  object: 'file';
  /** Size in bytes. */
  bytes: number;
  /** Creation time, Unix seconds. */
  created_at: number;
  /** File name. */
  filename: string;
  /** The purpose it was uploaded for. */
  purpose: string;
  /** Processing status, where the provider reports one. */
  status?: string;
  /** Which provider holds it. */
  provider: P;
  /** The provider's own object, as it sent it (parsed by `JSON.parse`). */
  raw: ProviderRawFiles[P];
}

/** A file object as Moonshot, Zhipu or an OpenAI-compatible host sends it; "checked" fields are verified before a call resolves. */
export interface OpenAIRawFile {
  /** The id (checked: a non-empty string). */
  id: string;
  /** `'file'` where the provider sends it (not checked). */
  object?: string;
  /** Size in bytes (checked). */
  bytes: number;
  /** Creation time, Unix seconds (checked). */
  created_at: number;
  /** File name (checked). */
  filename: string;
  /** The purpose (checked where present: a string or null). */
  purpose?: string | null;
  /** Processing status, such as Moonshot's `'ok'` (checked where present: a string or null). */
  status?: string | null;
  /** Why processing failed, where the provider says (not checked). */
  status_details?: unknown;
  /** Any other field the provider sends. */
  [field: string]: unknown;
}

/** A file object as MiniMax sends it; "checked" fields are verified before a call resolves. */
export interface MiniMaxRawFile {
  /** The int64 id as `JSON.parse` read it, so rounded above 2^53 (use the file's `id`, exact), or the string MiniMax sent (checked). */
  file_id: number | string;
  /** Size in bytes (checked). */
  bytes: number;
  /** Creation time, Unix seconds (checked). */
  created_at: number;
  /** File name (checked). */
  filename: string;
  /** The purpose (checked where present: a string or null). */
  purpose?: string | null;
  /** A download link, in retrieve's answer only; its lifetime is undocumented (not checked). */
  download_url?: string;
  /** Any other field MiniMax sends. */
  [field: string]: unknown;
}

/** Each provider's own file object: the type of a file's `raw`. */
export interface ProviderRawFiles {
  /** MiniMax's, with `file_id`. */
  minimax: MiniMaxRawFile;
  /** Moonshot's (OpenAI's shape). */
  moonshot: OpenAIRawFile;
  /** Zhipu's (OpenAI's shape). */
  zhipu: OpenAIRawFile;
  /** An OpenAI-compatible host's. */
  openai: OpenAIRawFile;
}

/** One page of files. */
export interface FileList<P extends Provider = Provider> {
  /** Always `'list'`. */
  object: 'list';
  /** The files. */
  data: FileObject<P>[];
  /** Whether another page follows (pass the last id as `after`). */
  has_more: boolean;
}

/** The answer of `files.delete`. */
export interface FileDeleted {
  /** The deleted file's id. */
  id: string;
  /** Always `'file'`. */
  object: 'file';
  /** Always `true`. */
  deleted: true;
}

/** Parameters of `files.create`. */
export interface FileCreateParams<P extends Provider = Provider> {
  /** The content: a Blob or File, bytes, or a string sent as UTF-8. */
  file: Blob | ArrayBuffer | ArrayBufferView | string;
  /** What the file is for; required by every provider. */
  purpose: Purpose<P, 'create'>;
  /** The name sent with the file; required unless `file` is a File. */
  filename?: string | undefined;
}

/** Parameters of `files.list` and `files.listAll`. */
export interface FileListParams<P extends Provider = Provider> {
  /** Only files of this purpose; without it, every listable purpose (one the host refuses as invalid after another answered is left out). */
  purpose?: Purpose<P, 'list'> | undefined;
  /** Page size (Zhipu: at most 100, and `listAll` asks for 100 when it is absent). */
  limit?: number | undefined;
  /** Start after this file id. */
  after?: string | undefined;
  /** Sort order: 'asc' or 'desc', anything else refused (`invalid_argument`); Zhipu's own values (`created_at`) are passed through. */
  order?: (P extends 'zhipu' ? 'asc' | 'desc' | (string & {}) : 'asc' | 'desc') | undefined;
}

/** Parameters of `files.delete`. */
export interface FileDeleteParams<P extends Provider = Provider> {
  /** The file's purpose (MiniMax needs it; looked up with retrieve when missing). */
  purpose?: Purpose<P, 'delete'> | undefined;
}

/** What went wrong, in terms a caller acts on. */
export type ErrorKind =
  | 'invalid_argument' | 'authentication' | 'permission_denied' | 'not_found' | 'rate_limit'
  | 'insufficient_balance' | 'invalid_request' | 'server' | 'connection' | 'timeout' | 'aborted'
  | 'decode' | 'unsupported';

/** Every failure of llm-files. */
export class LlmFilesError extends Error {
  /** Always `'LlmFilesError'`. */
  name: 'LlmFilesError';
  /** What went wrong. */
  kind: ErrorKind;
  /** HTTP status of the last attempt, or null when none answered. */
  status: number | null;
  /** The provider the client was made for; null only when `new LlmFiles()` or `capabilities()` was given no known one. */
  provider: Provider | null;
  /** The provider's own code as a string (MiniMax status_code, Moonshot/OpenAI error.code or type, Zhipu error.code). */
  code: string | null;
  /** The provider's request id (Trace-Id, Msh-Request-Id, x-request-id, ...). */
  requestId: string | null;
  /** Whether the kind of failure may succeed if tried again (an upload not sent again because its purpose cannot be listed to look for a stored copy is still retryable: whether to upload again is the caller's choice). */
  retryable: boolean;
  /** Tries of the request that failed (1 + its retries); 0 when no request failed (bad input, an abort before sending, Zhipu's emulated retrieve finding no file, the wasm out of memory outside a request). */
  attempts: number;
  /** The parsed JSON body, or the body text when it is not JSON, or null. */
  raw: unknown;
  /** A plain object with every field above. */
  toJSON(): Record<string, unknown>;
}

/** Whether an operation is done by the provider, emulated by the client, or impossible. */
export type Support = 'native' | 'emulated' | 'unsupported';

/** What a provider can do. */
export interface Capabilities {
  /** The provider. */
  provider: Provider;
  /** Uploads: native, emulated or unsupported. */
  create: Support;
  /** One page of files. */
  list: Support;
  /** Every file, across pages and purposes. */
  listAll: Support;
  /** One file's metadata (emulated on Zhipu). */
  retrieve: Support;
  /** Downloads. */
  content: Support;
  /** Deletes. */
  delete: Support;
  /** The six above, to iterate over. */
  operations: Record<'create' | 'list' | 'listAll' | 'retrieve' | 'content' | 'delete', Support>;
  /** How each parameter is handled: `list`'s purpose, limit, after and order; `delete`'s purpose. */
  params: { list: Record<'purpose' | 'limit' | 'after' | 'order', string>; delete: { purpose: string } };
  /** Purposes per operation, as documented (others are passed through). */
  purposes: CapabilityPurposes;
  /** Documented size and count limits. */
  limits: CapabilityLimits;
  /** How ids look, where that needs saying (MiniMax: int64, returned as decimal strings). */
  ids?: string;
}

/** The purposes a provider documents per operation. */
export interface CapabilityPurposes {
  /** Purposes uploads take. */
  create: string[];
  /** Purposes listings take, or `'any'`. */
  list: string[] | 'any';
  /** Purposes of files a delete takes, or `'any'`. */
  delete: string[] | 'any';
  /** Purposes of files the provider serves the content of, `'any'`, or a sentence where it is not a purpose list (MiniMax). */
  content: string[] | string;
}

/** The size and count limits a provider documents. */
export interface CapabilityLimits {
  /** Largest file per purpose in bytes; `*` for any purpose not named; a purpose absent with no `*` has no documented limit. */
  maxFileBytes: Record<string, number>;
  /** Most files an account may store (Moonshot: 1,000). */
  maxFiles?: number;
  /** Most bytes an account may store in all (Moonshot: 10 GB). */
  maxTotalBytes?: number;
  /** Limits the numbers above cannot say, in words. */
  notes?: string;
}

/** The file operations of a client for provider `P`. */
export interface Files<P extends Provider = Provider> {
  /** Uploads a file. */
  create(params: FileCreateParams<P>, options?: RequestOptions): Promise<FileObject<P>>;
  /** Lists one page of files. */
  list(params?: FileListParams<P>, options?: RequestOptions): Promise<FileList<P>>;
  /** Every file, across pages and (where the provider needs one) purposes: an async generator (`for await`, or `next()` and `return()`); bad parameters reject its first step. */
  listAll(params?: FileListParams<P>, options?: RequestOptions): AsyncGenerator<FileObject<P>, void, undefined>;
  /** One file's metadata (emulated from list pages on Zhipu). */
  retrieve(id: string, options?: RequestOptions): Promise<FileObject<P>>;
  /** The file's content, as the fetch Response. */
  content(id: string, options?: RequestOptions): Promise<Response>;
  /** Deletes a file. */
  delete(id: string, params?: FileDeleteParams<P>, options?: RequestOptions): Promise<FileDeleted>;
}

/** A client for one provider and key; `P` is the provider, inferred from the options. */
export class LlmFiles<P extends Provider = Provider> {
  /** Throws `LlmFilesError`: kind `invalid_argument` on bad options, `decode` when the wasm has no memory left at all. */
  constructor(options: LlmFilesOptions<P>);
  /** The file operations. */
  readonly files: Files<P>;
  /** What `provider` can do; throws `LlmFilesError` (`invalid_argument` for an unknown provider, `decode` when the wasm has no memory left at all). */
  static capabilities(provider: Provider): Capabilities;
  /** Does nothing: the client holds no wasm memory between calls (each call frees its own). */
  free(): void;
}
