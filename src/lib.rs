//! llm-files: one small client for the file APIs of MiniMax, Moonshot, Zhipu and OpenAI-compatible hosts.
//! The core (`providers`, `retry`, `json`, `error`) is sans-IO; `transport` and `js` exist only on wasm.
#![deny(missing_docs)]

pub mod error;
pub mod json;
pub mod providers;
pub mod retry;

#[cfg(target_arch = "wasm32")]
mod client;
#[cfg(target_arch = "wasm32")]
mod js;
#[cfg(target_arch = "wasm32")]
mod transport;
