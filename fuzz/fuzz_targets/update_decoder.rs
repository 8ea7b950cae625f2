//! The MessagePack decoders of what the computers write (publications, saved states, candles):
//! any bytes decode to a value or an error, never a panic; a decoded batch encodes again.
//! (A decoded state is not run: states come from our own computers through Redis.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::update::{StoredState, UpdateBatch, decode, encode_named};

fuzz_target!(|data: &[u8]| {
    if let Ok(batch) = decode::<UpdateBatch>(data) {
        let again: UpdateBatch = decode(&encode_named(&batch)).expect("re-encoded batch decodes");
        assert_eq!(again.seq, batch.seq);
    }
    let _ = decode::<StoredState>(data);
    let _ = shared::history::decode_candle(data);
});
