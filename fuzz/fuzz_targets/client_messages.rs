//! The client-message path: bytes split into messages at `\n`, each parsed, validated and
//! applied to one connection's subscriptions (`gateway::apply_messages`), and every string
//! also tried as an indicator id.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let messages: Vec<&str> = text.split('\n').take(64).collect();
    gateway::apply_messages(&messages, 20, 3);
    for m in &messages {
        if let Ok(spec) = shared::catalogue::Spec::from_id(m) {
            assert_eq!(
                shared::catalogue::Spec::from_id(&spec.id()).map(|s| s.id()),
                Ok(spec.id())
            );
        }
    }
});
