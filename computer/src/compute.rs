//! `computer compute`: the cluster's indicator engine over a CSV of candles, for backtests and
//! cross-checks. Input `time,open,high,low,close,volume` (time as epoch ms or RFC 3339, rows in
//! increasing time); output `time` plus one column per output column (pandas-ta names), empty
//! during warm-up, `inf`/`-inf` where a value is infinite. A bad row is an error naming its
//! line; nothing is written past it. The indicators come as ids (`--indicators`) or as the JSON
//! list a client's `subscribe` carries (`--spec`), parsed by the protocol's own parser.

use crate::config::ComputeArgs;
use shared::catalogue::Spec;
use shared::indicators::Candle;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;

/// What is wrong with the input CSV (or writing the output).
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ComputeError {
    #[error("line {line}: {message}")]
    Row { line: usize, message: String },
    #[error("{0}")]
    Io(String),
}

fn row_error(line: usize, message: impl Into<String>) -> ComputeError {
    ComputeError::Row {
        line,
        message: message.into(),
    }
}

/// Parses one data row (`line` is 1-based, for the error).
fn parse_row(line: usize, text: &str) -> Result<(String, Candle), ComputeError> {
    let fields: Vec<&str> = text.split(',').map(str::trim).collect();
    if fields.len() != 6 {
        return Err(row_error(
            line,
            format!("expected 6 fields, found {}", fields.len()),
        ));
    }
    let time = match fields[0].parse::<i64>() {
        Ok(ms) => ms,
        Err(_) => shared::clock::parse_rfc3339_micros(fields[0])
            .map(|us| us.div_euclid(1000))
            .ok_or_else(|| {
                row_error(
                    line,
                    format!("time {:?} is neither epoch ms nor RFC 3339", fields[0]),
                )
            })?,
    };
    let mut v = [0.0; 5];
    for (i, name) in ["open", "high", "low", "close", "volume"]
        .iter()
        .enumerate()
    {
        v[i] = fields[i + 1]
            .parse::<f64>()
            .map_err(|_| row_error(line, format!("{name} {:?} is not a number", fields[i + 1])))?;
        let ok = if i == 4 {
            v[i].is_finite() && v[i] >= 0.0
        } else {
            v[i].is_finite() && v[i] > 0.0
        };
        if !ok {
            let rule = if i == 4 {
                "finite and >= 0"
            } else {
                "finite and > 0"
            };
            return Err(row_error(
                line,
                format!("{name} must be {rule}, got {}", fields[i + 1]),
            ));
        }
    }
    let [open, high, low, close, volume] = v;
    if high < open.max(close) || low > open.min(close) {
        return Err(row_error(line, "high/low do not enclose open and close"));
    }
    Ok((
        fields[0].to_owned(),
        Candle {
            time,
            open,
            high,
            low,
            close,
            volume,
        },
    ))
}

/// Why `computer compute` failed.
#[derive(Debug, thiserror::Error)]
pub enum ComputeRunError {
    #[error("--indicators: {0}")]
    Indicator(String),
    #[error("--spec: {0}")]
    Spec(String),
    #[error("opening {}: {source}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("creating {}: {source}", path.display())]
    Create {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Input {
        path: PathBuf,
        #[source]
        source: ComputeError,
    },
}

/// Streams `input` through the indicators into `out`; returns the number of candles.
pub(crate) fn compute(
    input: impl BufRead,
    specs: &[Spec],
    mut out: impl Write,
) -> Result<usize, ComputeError> {
    let io = |e: std::io::Error| ComputeError::Io(e.to_string());
    let mut states: Vec<_> = specs
        .iter()
        .map(|s| (s.new_state(), s.columns().len()))
        .collect();
    let mut header = String::from("time");
    for s in specs {
        for c in s.columns() {
            header.push(',');
            header.push_str(&c);
        }
    }
    writeln!(out, "{header}").map_err(io)?;
    let mut lines = input.lines().enumerate();
    let first = lines
        .next()
        .map(|(_, l)| l.map_err(io))
        .transpose()?
        .unwrap_or_default();
    let cols: Vec<String> = first
        .split(',')
        .map(|c| c.trim().to_ascii_lowercase())
        .collect();
    if cols != ["time", "open", "high", "low", "close", "volume"] {
        return Err(row_error(
            1,
            "the header must be time,open,high,low,close,volume",
        ));
    }
    let mut last_time = i64::MIN;
    let mut n = 0;
    let mut row = String::with_capacity(256);
    for (i, text) in lines {
        let text = text.map_err(io)?;
        if text.trim().is_empty() {
            continue;
        }
        let line = i + 1;
        let (time_text, candle) = parse_row(line, &text)?;
        if candle.time <= last_time {
            return Err(row_error(line, "times must strictly increase"));
        }
        last_time = candle.time;
        row.clear();
        row.push_str(&time_text);
        for (state, width) in &mut states {
            let outputs = state.update(&candle);
            for v in &outputs[..*width] {
                row.push(',');
                if !v.is_nan() {
                    use std::fmt::Write as _;
                    let _ = write!(row, "{v}");
                }
            }
        }
        writeln!(out, "{row}").map_err(io)?;
        n += 1;
    }
    out.flush().map_err(io)?;
    Ok(n)
}

impl ComputeRunError {
    /// True when the command line, a path or the input is wrong (exit 2, one line): every
    /// case today.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            ComputeRunError::Indicator(_)
                | ComputeRunError::Spec(_)
                | ComputeRunError::Input { .. }
                | ComputeRunError::Open { .. }
                | ComputeRunError::Create { .. }
        )
    }
}

/// The indicators of `--indicators` then `--spec`, each once.
fn specs_of(args: &ComputeArgs) -> Result<Vec<Spec>, ComputeRunError> {
    let mut specs: Vec<Spec> = args
        .indicators
        .iter()
        .map(|id| Spec::from_id(id.trim()).map_err(|e| ComputeRunError::Indicator(e.to_string())))
        .collect::<Result<_, _>>()?;
    if let Some(text) = &args.spec {
        let bad = |m: String| ComputeRunError::Spec(m);
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| bad(format!("not valid JSON: {e}")))?;
        let serde_json::Value::Array(list) = value else {
            return Err(bad(
                "must be a JSON array of ids or {\"name\",\"params\"} objects".into(),
            ));
        };
        let parsed = shared::protocol::indicator_list(&list).map_err(|e| bad(e.message))?;
        for spec in parsed {
            if !specs.contains(&spec) {
                specs.push(spec);
            }
        }
    }
    if specs.is_empty() {
        return Err(ComputeRunError::Spec("names no indicator".into()));
    }
    Ok(specs)
}

/// `computer compute`: reads `--input`, writes `--output` (or standard output).
pub fn run(args: &ComputeArgs) -> Result<(), ComputeRunError> {
    let specs = specs_of(args)?;
    let input = std::fs::File::open(&args.input).map_err(|source| ComputeRunError::Open {
        path: args.input.clone(),
        source,
    })?;
    let input = BufReader::new(input);
    let n = match &args.output {
        Some(path) => {
            let f = std::fs::File::create(path).map_err(|source| ComputeRunError::Create {
                path: path.clone(),
                source,
            })?;
            compute(input, &specs, BufWriter::new(f))
        }
        None => compute(input, &specs, BufWriter::new(std::io::stdout().lock())),
    }
    .map_err(|source| ComputeRunError::Input {
        path: args.input.clone(),
        source,
    })?;
    eprintln!("{n} candles");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_csv(csv: &str, ids: &[&str]) -> Result<String, ComputeError> {
        let specs: Vec<Spec> = ids.iter().map(|i| Spec::from_id(i).unwrap()).collect();
        let mut out = Vec::new();
        compute(csv.as_bytes(), &specs, &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    // Shows the output layout: pandas-ta columns, empty cells in warm-up, times echoed as given.
    #[test]
    fn columns_and_warm_up() {
        let csv = "time,open,high,low,close,volume\n\
                   1762257600000,10,11,9,10,5\n\
                   2025-11-04T12:01:00Z,10,13,9,12,5\n\
                   1762257720000,12,15,11,14,5\n";
        let out = run_csv(csv, &["SMA_2", "MACD_2_3_1"]).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "time,SMA_2,MACD_2_3_1,MACDh_2_3_1,MACDs_2_3_1");
        assert_eq!(lines[1], "1762257600000,,,,");
        assert!(
            lines[2].starts_with("2025-11-04T12:01:00Z,11,"),
            "{}",
            lines[2]
        );
        assert_eq!(lines[3].split(',').nth(1), Some("13"));
        assert_eq!(lines.len(), 4);
    }

    fn args(ids: &[&str], spec: Option<&str>) -> ComputeArgs {
        ComputeArgs {
            input: "unused.csv".into(),
            indicators: ids.iter().map(|i| (*i).to_owned()).collect(),
            spec: spec.map(str::to_owned),
            output: None,
        }
    }

    // Shows `--spec` takes what a client's subscribe lists (ids and name/params objects, in
    // order, each once, after `--indicators`), and a bad one is refused naming what is wrong.
    #[test]
    fn spec_is_a_subscribe_list() {
        let spec = r#"["SMA_20", {"name": "rsi", "params": {"length": 7}}, {"name": "SMA", "params": {"length": 20}}]"#;
        let ids: Vec<String> = specs_of(&args(&["MACD"], Some(spec)))
            .unwrap()
            .iter()
            .map(Spec::id)
            .collect();
        assert_eq!(ids, ["MACD_12_26_9", "SMA_20", "RSI_7"]);
        let refused = |spec: &str| specs_of(&args(&[], Some(spec))).unwrap_err().to_string();
        assert!(refused(r#"[{"name": "FOO"}]"#).contains("FOO"));
        let range = refused(r#"[{"name": "RSI", "params": {"length": 1}}]"#);
        assert!(
            range.starts_with("--spec: ") && range.contains("RSI.length"),
            "{range}"
        );
        assert!(refused("{}").contains("JSON array"));
        assert!(refused("[").contains("not valid JSON"));
        assert!(refused("[]").contains("no indicator"));
        assert!(specs_of(&args(&[], Some("[1]"))).unwrap_err().is_usage());
    }

    // Shows bad rows are refused with the line that holds them.
    #[test]
    fn bad_rows_name_their_line() {
        let head = "time,open,high,low,close,volume\n1762257600000,10,11,9,10,5\n";
        let cases = [
            ("1762257660000,10,11,9,-1,5", "close must be finite and > 0"),
            ("1762257660000,10,11,9,NaN,5", "close must be finite"),
            (
                "1762257660000,10,11,9,10,-5",
                "volume must be finite and >= 0",
            ),
            ("1762257660000,10,11,9,10", "expected 6 fields"),
            ("yesterday,10,11,9,10,5", "neither epoch ms nor RFC 3339"),
            ("1762257600000,10,11,9,10,5", "strictly increase"),
            ("1762257660000,10,9,8,10,5", "enclose"),
        ];
        for (row, msg) in cases {
            let err = run_csv(&format!("{head}{row}\n"), &["SMA_2"]).unwrap_err();
            let text = err.to_string();
            assert!(
                text.starts_with("line 3: ") && text.contains(msg),
                "{row}: {text}"
            );
        }
        assert!(
            run_csv("a,b\n", &["SMA_2"])
                .unwrap_err()
                .to_string()
                .starts_with("line 1:")
        );
    }

    // Shows the offline engine gives TA-Lib's values on the golden fixture.
    #[test]
    fn equals_the_golden_fixture() {
        let fixture: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/talib_core.json")).unwrap();
        let series = &fixture["series"][3];
        let mut csv = String::from("time,open,high,low,close,volume\n");
        for c in series["candles"].as_array().unwrap() {
            let c: Vec<f64> = c
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            csv.push_str(&format!(
                "{},{},{},{},{},{}\n",
                c[0] as i64, c[1], c[2], c[3], c[4], c[5]
            ));
        }
        let out = run_csv(&csv, &["RSI_14", "BBANDS_20_2.0"]).unwrap();
        let mut lines = out.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
        for (col, name) in header.iter().enumerate().skip(1) {
            let id = if col == 1 { "RSI_14" } else { "BBANDS_20_2.0" };
            let expected = series["indicators"][id][name].as_array().unwrap();
            for (row, e) in rows.iter().zip(expected) {
                match e.as_f64() {
                    None => assert_eq!(row[col], "", "{name}"),
                    Some(e) => assert_eq!(row[col].parse::<f64>().unwrap(), e, "{name}"),
                }
            }
        }
    }
}
