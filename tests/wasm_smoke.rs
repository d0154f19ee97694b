//! Keeps `cargo test --target wasm32-unknown-unknown --tests` honest: the transport tests live in the library
//! (they need its private items), this file proves the integration-test harness itself runs under Node.
#![cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn capabilities_parse_for_every_provider() {
    for p in llm_files::providers::ALL {
        assert!(llm_files::json::parse(p.capabilities()).is_some());
    }
}
