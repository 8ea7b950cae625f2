//! docs/indicators.md's catalogue section is `shared::catalogue::doc::markdown()`: this test
//! fails when they differ, and with `UPDATE_DOCS=1` rewrites the section instead (after a
//! catalogue change, `make docs` = `UPDATE_DOCS=1 cargo test -p shared --test docs` refreshes
//! the docs). It also asserts the probe found some input for every row, and prints the
//! catalogue's size and the cost table's names that are not (or no longer) catalogue rows.

use shared::catalogue::{CATALOGUE, doc};
use std::path::Path;

const BEGIN: &str = "<!-- catalogue:begin -->\n";
const END: &str = "<!-- catalogue:end -->";

#[test]
fn indicators_md_holds_the_generated_catalogue() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/indicators.md");
    let text = std::fs::read_to_string(&path).expect("docs/indicators.md");
    let start = text.find(BEGIN).expect("a catalogue:begin marker") + BEGIN.len();
    let end = start + text[start..].find(END).expect("a catalogue:end marker");
    let entries = doc::entries();
    println!("catalogue: {} rows", CATALOGUE.len());
    for e in &entries {
        // Every indicator reads some field: an empty set means the probe missed it.
        assert!(!e.inputs.is_empty(), "{}: the probe found no input", e.name);
    }
    let generated = doc::render(&entries);
    for (name, _) in doc::COSTS {
        if !CATALOGUE.iter().any(|d| d.name == *name) {
            println!("cost table names {name}, which is not a catalogue row (yet)");
        }
    }
    if text[start..end] == generated {
        return;
    }
    if std::env::var("UPDATE_DOCS").is_ok_and(|v| v == "1") {
        let updated = format!("{}{generated}{}", &text[..start], &text[end..]);
        std::fs::write(&path, updated).expect("write docs/indicators.md");
        println!("rewrote the catalogue section of {}", path.display());
        return;
    }
    panic!(
        "docs/indicators.md's catalogue section differs from shared::catalogue::doc::markdown(); \
         run `UPDATE_DOCS=1 cargo test -p shared --test docs` to rewrite it"
    );
}

// Shows the TA-Lib function each row maps to (what scripts/bench_table.py compares with):
// its own name, SAR for PSAR, none for the daily-anchored VWAP.
#[test]
fn talib_function_of_rows() {
    let of = |name: &str| {
        let def = CATALOGUE.iter().find(|d| d.name == name).expect(name);
        doc::talib_function(def)
    };
    assert_eq!(of("PSAR"), Some("SAR"));
    assert_eq!(of("STOCHRSI"), Some("STOCHRSI"));
    assert_eq!(of("ADXR"), Some("ADXR"));
    assert_eq!(of("VWAP"), Some("VWAP"));
    assert_eq!(of("VWAP_D"), None);
}
