//! Ids, defaults, refusals and value shapes of the catalogue.
use super::*;
use serde_json::json;

// Shows ids and columns follow pandas-ta naming and defaults apply to omitted params.
#[test]
fn ids_columns_defaults() {
    let s = Spec::from_name_params("rsi", None).unwrap();
    assert_eq!(s.id(), "RSI_14");
    let m = json!({"fast": 5, "slow": 13, "signal": 4});
    let s = Spec::from_name_params("MACD", m.as_object()).unwrap();
    assert_eq!(s.id(), "MACD_5_13_4");
    assert_eq!(s.columns(), ["MACD_5_13_4", "MACDh_5_13_4", "MACDs_5_13_4"]);
    let b = Spec::from_id("BBANDS_20_2").unwrap();
    assert_eq!(b.id(), "BBANDS_20_2.0");
    assert_eq!(b.columns()[0], "BBL_20_2.0");
    assert_eq!(Spec::from_id("SMA").unwrap().id(), "SMA_10");
}

// Shows each refusal names what is wrong.
#[test]
fn refusals() {
    assert!(matches!(
        Spec::from_id("FOO_1"),
        Err(CatalogueError::Unknown(_))
    ));
    let e = Spec::from_name_params("RSI", json!({"length": 1}).as_object()).unwrap_err();
    assert!(e.to_string().contains("RSI.length"), "{e}");
    let e = Spec::from_name_params("RSI", json!({"len": 3}).as_object()).unwrap_err();
    assert!(e.to_string().contains("\"len\""), "{e}");
    assert!(Spec::from_id("RSI_14.5").is_err());
    assert!(Spec::from_id("RSI_14_3").is_err());
    assert!(Spec::from_id("MACD_26_12_9").is_err());
    assert!(Spec::from_name_params("SMA", json!({"length": "x"}).as_object()).is_err());
    // Each param in range, but a T3 average of 500 needs 2,994 candles of warm-up.
    let e = Spec::from_id("MA_500_8").unwrap_err();
    assert!(e.to_string().contains("needs 2994 candles"), "{e}");
    assert!(Spec::from_id("MA_167_8").is_ok());
}

// Shows every row at its defaults and at the top of each length-like param (one at a time)
// either fits the warm-up bound or is refused with a message naming the bound, never a panic.
#[test]
fn warm_ups_fit_the_history() {
    for def in CATALOGUE {
        let spec = Spec::from_id(def.name).unwrap_or_else(|e| panic!("{}: {e}", def.name));
        assert!(
            spec.new_state().lookback() <= crate::catalogue::MAX_LOOKBACK,
            "{}",
            def.name
        );
        for (i, p) in def.params.iter().enumerate() {
            let mut params = serde_json::Map::new();
            params.insert(p.name.to_owned(), json!(p.max.min(1e6)));
            if let Err(e) = Spec::from_name_params(def.name, Some(&params)) {
                let msg = e.to_string();
                assert!(msg.contains(def.name), "{} param {i}: {msg}", def.name);
            }
        }
    }
}

// Shows the value shapes: a number, an object by column, null while warming up (also for
// multi-output indicators), and a null column inside an object.
#[test]
fn value_shapes() {
    let nan = f64::NAN;
    let rsi = Spec::from_id("RSI_14").unwrap().columns();
    assert_eq!(outputs_json(&rsi, &[1.5, nan, nan, nan, nan]), json!(1.5));
    assert_eq!(outputs_json(&rsi, &[nan; 5]), json!(null));
    let macd = Spec::from_id("MACD").unwrap().columns();
    assert_eq!(outputs_json(&macd, &[nan; 5]), json!(null));
    assert_eq!(
        outputs_json(&macd, &[1.0, 0.5, 0.5, nan, nan]),
        json!({"MACD_12_26_9": 1.0, "MACDh_12_26_9": 0.5, "MACDs_12_26_9": 0.5})
    );
    let bb = Spec::from_id("BBANDS_5_2.0").unwrap().columns();
    assert_eq!(
        outputs_json(&bb, &[1.0, 1.0, 1.0, 0.0, nan])["BBP_5_2.0"],
        json!(null)
    );
}

// Shows `warm` is a fresh state fed the history in order, with the last outputs (NONE
// for no history), for every indicator.
#[test]
fn warm_is_new_state_fed_the_history() {
    let history: Vec<Candle> = (0..60)
        .map(|i| {
            let x = 100.0 + f64::from(i % 7) - f64::from(i % 3) * 0.5;
            Candle {
                time: i64::from(i) * 60_000,
                open: x,
                high: x + 1.0,
                low: x - 1.5,
                close: x + 0.25,
                volume: 10.0 + f64::from(i),
            }
        })
        .collect();
    for def in CATALOGUE {
        let spec = Spec::from_id(def.name).unwrap();
        let (state, last) = spec.warm(&[]);
        // Compared encoded: states hold NaN (SUPERTREND's bands), never `==` to itself.
        let encode = crate::update::encode::<State>;
        assert_eq!(encode(&state), encode(&spec.new_state()), "{}", def.name);
        assert!(last.iter().all(|v| v.is_nan()), "{}", def.name);
        let mut want = spec.new_state();
        let mut want_last = NONE;
        for c in &history {
            want_last = want.update(c);
        }
        let (state, last) = spec.warm(&history);
        assert_eq!(encode(&state), encode(&want), "{}", def.name);
        assert_eq!(
            last.map(f64::to_bits),
            want_last.map(f64::to_bits),
            "{}",
            def.name
        );
    }
}

// Shows infinities keep their sign in JSON (as strings), and NaN is null.
#[test]
fn infinities_in_json() {
    let one = vec!["X".to_owned()];
    let nan = f64::NAN;
    assert_eq!(
        outputs_json(&one, &[f64::INFINITY, nan, nan, nan, nan]),
        json!("Infinity")
    );
    assert_eq!(
        outputs_json(&one, &[f64::NEG_INFINITY, nan, nan, nan, nan]),
        json!("-Infinity")
    );
    let two = vec!["A".to_owned(), "B".to_owned()];
    assert_eq!(
        outputs_json(&two, &[1.0, f64::INFINITY, nan, nan, nan]),
        json!({"A": 1.0, "B": "Infinity"})
    );
}

// Shows TA-Lib's param names are accepted besides ours, and two TA-Lib names of one param must
// agree.
#[test]
fn talib_param_names() {
    let spec = |name: &str, params: serde_json::Value| {
        Spec::from_name_params(name, params.as_object()).map(|s| s.id())
    };
    assert_eq!(spec("sma", json!({"timeperiod": 20})).unwrap(), "SMA_20");
    assert_eq!(
        spec(
            "MACD",
            json!({"fastperiod": 5, "slowperiod": 13, "signalperiod": 4})
        )
        .unwrap(),
        "MACD_5_13_4"
    );
    assert_eq!(
        spec(
            "BBANDS",
            json!({"timeperiod": 20, "nbdevup": 2.5, "nbdevdn": 2.5})
        )
        .unwrap(),
        "BBANDS_20_2.5"
    );
    // Unequal deviations are TA-Lib's own; left out, timeperiod takes TA-Lib's default 20.
    assert_eq!(
        spec("BBANDS", json!({"nbdevup": 2.0, "nbdevdn": 3.0})).unwrap(),
        "BBANDS_20_2.0_0_3.0"
    );
    let e = spec("BBANDS", json!({"length": 5, "timeperiod": 6})).unwrap_err();
    assert!(e.to_string().contains("must be equal"), "{e}");
    assert_eq!(
        spec(
            "STOCH",
            json!({"fastk_period": 5, "slowk_period": 3, "slowd_period": 4})
        )
        .unwrap(),
        "STOCH_5_4_3"
    );
    assert_eq!(
        spec("PSAR", json!({"acceleration": 0.03, "maximum": 0.3})).unwrap(),
        "PSAR_0.03_0.3"
    );
}

// Shows ids of names that hold `_` resolve to the longest name they start with.
#[test]
fn names_with_underscores() {
    assert_eq!(
        Spec::from_id("linearreg_slope_20").unwrap().id(),
        "LINEARREG_SLOPE_20"
    );
    assert_eq!(Spec::from_id("LINEARREG_20").unwrap().id(), "LINEARREG_20");
    assert_eq!(
        Spec::from_id("LINEARREG_SLOPE").unwrap().id(),
        "LINEARREG_SLOPE_14"
    );
    assert!(Spec::from_id("SMA_").is_err());
    assert!(matches!(
        Spec::from_id("LINEARREGX_3"),
        Err(CatalogueError::Unknown(_))
    ));
}

// Shows elided params: at their default they are left out of ids and columns (old ids stay
// canonical), given they are shown, and a param that follows another defaults to it.
#[test]
fn elided_params_keep_old_ids() {
    let b = Spec::from_id("BBANDS_20_2.0").unwrap();
    assert_eq!(b.id(), "BBANDS_20_2.0");
    assert_eq!(b.columns()[0], "BBL_20_2.0");
    assert_eq!(b.params[2..4], [0.0, 2.0]);
    assert_eq!(
        Spec::from_id("BBANDS_20_2.0_0").unwrap().id(),
        "BBANDS_20_2.0"
    );
    let ema = Spec::from_id("BBANDS_20_2.0_1").unwrap();
    assert_eq!(ema.id(), "BBANDS_20_2.0_1");
    assert_eq!(ema.columns()[4], "BBP_20_2.0_1");
    assert_ne!(ema, b);
    // nbdevdn follows std: BBANDS_20_2.5 has both at 2.5.
    let b = Spec::from_id("BBANDS_20_2.5").unwrap();
    assert_eq!(b.params[3], 2.5);
    assert_eq!(
        Spec::from_id("BBANDS_20_2.5_0_2.5").unwrap().id(),
        "BBANDS_20_2.5"
    );
    assert_eq!(
        Spec::from_id("BBANDS_20_2.5_0_1.5").unwrap().id(),
        "BBANDS_20_2.5_0_1.5"
    );
    let m = json!({"length": 20, "std": 2.5, "matype": 0});
    assert_eq!(
        Spec::from_name_params("BBANDS", m.as_object())
            .unwrap()
            .id(),
        "BBANDS_20_2.5"
    );
    assert_eq!(Spec::from_id("STOCH_14_3_3").unwrap().id(), "STOCH_14_3_3");
    assert_eq!(
        Spec::from_id("STOCH_14_3_3_0_1").unwrap().id(),
        "STOCH_14_3_3_0_1"
    );
    assert_eq!(
        Spec::from_id("STOCH_14_3_3_0_0").unwrap().id(),
        "STOCH_14_3_3"
    );
    assert_eq!(
        Spec::from_id("STOCHRSI_14_14_3_3_7").unwrap().columns(),
        ["STOCHRSIk_14_14_3_3_7", "STOCHRSId_14_14_3_3_7"]
    );
}

// Shows matype 10, 11 and 99 are refused with a message naming the param and the accepted
// values, and every supported value parses.
#[test]
fn matype_values() {
    for id in [
        "MA_30_10",
        "MA_30_11",
        "MA_30_99",
        "BBANDS_20_2.0_10",
        "MACDEXT_12_0_26_11",
    ] {
        let e = Spec::from_id(id).unwrap_err().to_string();
        assert!(
            e.contains("matype must be one of 0 (SMA), 1 (EMA)"),
            "{id}: {e}"
        );
        assert!(
            e.contains("13 (RMA)") && e.contains("10 and 11"),
            "{id}: {e}"
        );
    }
    let e = Spec::from_name_params("STOCH", json!({"slowd_matype": 11}).as_object()).unwrap_err();
    assert!(
        e.to_string().contains("STOCH.slowd_matype must be one of"),
        "{e}"
    );
    for (t, _) in MA_TYPES {
        assert_eq!(
            Spec::from_id(&format!("MA_30_{t}")).unwrap().id(),
            format!("MA_30_{t}")
        );
    }
    assert_eq!(Spec::from_id("MA").unwrap().id(), "MA_30_0");
    assert_eq!(Spec::from_id("APO").unwrap().id(), "APO_12_26_1");
}

// Shows a request in TA-Lib's names gets TA-Lib's function: STOCHRSI's left-out params take
// TA-Lib's defaults (fastk_period 5, k = 1) and its values equal k = 1's; STOCH's fastk 5.
#[test]
fn talib_names_take_talib_defaults() {
    let spec = |name: &str, params: serde_json::Value| {
        Spec::from_name_params(name, params.as_object()).unwrap()
    };
    let talib = spec("STOCHRSI", json!({"timeperiod": 14}));
    assert_eq!(talib.id(), "STOCHRSI_5_14_1_3");
    let ours = Spec::from_id("STOCHRSI_5_14_1_3").unwrap();
    assert_eq!(talib, ours);
    let history: Vec<Candle> = (0..80)
        .map(|i| crate::indicators::flat_candle(100.0 + f64::from(i % 9) - f64::from(i % 4)))
        .collect();
    let (_, a) = talib.warm(&history);
    let (_, b) = ours.warm(&history);
    assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits));
    assert!(!a[0].is_nan());
    let t = spec("STOCHRSI", json!({"fastd_period": 4, "fastd_matype": 1}));
    assert_eq!(t.id(), "STOCHRSI_5_14_1_4_1");
    // The params added from TA-Lib (matype, nbdevdn) are TA-Lib-only names too.
    assert_eq!(
        spec("STOCHRSI", json!({"fastd_matype": 1})).id(),
        "STOCHRSI_5_14_1_3_1"
    );
    assert_eq!(
        spec("STOCH", json!({"slowd_matype": 2})).id(),
        "STOCH_5_3_3_0_2"
    );
    assert_eq!(spec("BBANDS", json!({"matype": 1})).id(), "BBANDS_20_2.0_1");
    assert_eq!(
        spec("BBANDS", json!({"length": 5, "matype": 1})).id(),
        "BBANDS_5_2.0_1"
    );
    // Our own names keep pandas-ta's defaults.
    assert_eq!(
        spec("STOCHRSI", json!({"rsi_length": 14})).id(),
        "STOCHRSI_14_14_3_3"
    );
    assert_eq!(
        spec("STOCH", json!({"slowk_period": 3})).id(),
        "STOCH_5_3_3"
    );
    assert_eq!(spec("STOCH", json!({"d": 3})).id(), "STOCH_14_3_3");
    assert_eq!(
        spec("BBANDS", json!({"timeperiod": 10})).id(),
        "BBANDS_10_2.0"
    );
    assert_eq!(spec("BBANDS", json!({"std": 2.0})).id(), "BBANDS_5_2.0");
}

// Shows an 8-param SAREXT id and names with `_` (PLUS_DM) round-trip.
#[test]
fn long_ids_round_trip() {
    let id = "SAREXT_0.01_0.02_0.03_0.04_0.25_0.05_0.06_0.3";
    let s = Spec::from_id(id).unwrap();
    assert_eq!(s.id(), id);
    assert_eq!(s.params, [0.01, 0.02, 0.03, 0.04, 0.25, 0.05, 0.06, 0.3]);
    assert_eq!(
        Spec::from_id("SAREXT").unwrap().id(),
        "SAREXT_0.0_0.0_0.02_0.02_0.2_0.02_0.02_0.2"
    );
    assert!(Spec::from_id(&format!("{id}_1")).is_err());
    for id in [
        "PLUS_DM_14",
        "MINUS_DM_5",
        "PLUS_DI_14",
        "MINUS_DI_1",
        "MACDEXT_12_0_26_0_9_0",
    ] {
        assert_eq!(Spec::from_id(id).unwrap().id(), id);
    }
    assert_eq!(Spec::from_id("PLUS_DI").unwrap().id(), "PLUS_DI_14");
}
