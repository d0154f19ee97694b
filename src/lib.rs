//! llm-files: one small client for the file APIs of MiniMax, Moonshot, Zhipu and OpenAI-compatible hosts.
//! Everything here is sans-IO: `client` runs each call as a state machine over `providers`, `retry`, `json` and
//! `error`; `js` (wasm only) exports it; `src/transport/fetch.js` is the only code that touches fetch.
#![deny(missing_docs)]
// The wasm build is no_std: std's panic and formatting machinery would be most of its size.
#![cfg_attr(all(target_arch = "wasm32", not(test)), no_std)]

// Functions marked `#[inline(never)] // out of line` are ones LLVM, at the inline threshold scripts/build.mjs sets,
// copied into several callers; kept out of line the wasm measured 569 B smaller and no slower.

extern crate alloc;

pub mod error;
pub mod json;
pub mod providers;
pub mod retry;

pub mod client;
#[cfg(target_arch = "wasm32")]
mod heap;
#[cfg(target_arch = "wasm32")]
mod js;
