//! What a subscribe or an unsubscribe changes in a connection's subscriptions, decided
//! before anything is touched (pure: the node applies it).

use crate::conn::Subscriptions;
use shared::catalogue::Spec;
use shared::pair::Pair;
use shared::protocol::{ErrorCode, ProtocolError, UnsubscribeTarget};

/// The specs of `specs` that `subs` does not watch yet in `pair`, if the connection may add
/// them all.
pub(crate) fn plan_subscribe(
    subs: &Subscriptions,
    pair: &Pair,
    specs: &[Spec],
    max: usize,
    max_pairs: usize,
) -> Result<Vec<Spec>, ProtocolError> {
    let pairs = subs.pairs().count();
    if max_pairs > 0 && subs.ids(pair).is_empty() && pairs >= max_pairs {
        return Err(ProtocolError::new(
            ErrorCode::TooManyPairs,
            format!(
                "a connection may watch at most {max_pairs} symbol/timeframe pairs; it watches {pairs}"
            ),
        ));
    }
    let new: Vec<Spec> = specs
        .iter()
        .filter(|s| !subs.contains(pair, &s.id()))
        .copied()
        .collect();
    if subs.count() + new.len() > max {
        return Err(ProtocolError::new(
            ErrorCode::TooManyIndicators,
            format!(
                "a connection may watch at most {max} indicators; it watches {}",
                subs.count()
            ),
        ));
    }
    Ok(new)
}

/// What of `subs` an `unsubscribe` names (ids it does not watch are ignored).
pub(crate) fn unsubscribe_targets(
    subs: &Subscriptions,
    target: UnsubscribeTarget,
) -> Subscriptions {
    match target {
        UnsubscribeTarget::All => subs.clone(),
        UnsubscribeTarget::Pair { symbol, timeframe } => {
            let pair = Pair::new(symbol, timeframe);
            subs.ids(&pair)
                .into_iter()
                .map(|id| (pair.clone(), id))
                .collect()
        }
        UnsubscribeTarget::Indicators {
            symbol,
            timeframe,
            ids,
        } => {
            let pair = Pair::new(symbol, timeframe);
            ids.into_iter()
                .filter(|id| subs.contains(&pair, id))
                .map(|id| (pair.clone(), id))
                .collect()
        }
    }
}

/// The client-message path without a socket or Redis, for the fuzzer (`fuzz/`): each text is
/// parsed (and its id read as a rate-limited message's would be); a subscribe or unsubscribe
/// is planned and applied to one connection's subscriptions. Panics if an invariant breaks:
/// the limits hold, and the subscriptions survive their JSON form in `ws_conn:<id>`.
pub fn apply_messages(texts: &[&str], max_indicators: usize, max_pairs: usize) {
    use shared::protocol::{self, Action};
    let mut subs = Subscriptions::default();
    for text in texts {
        let _ = protocol::request_id(text);
        match protocol::parse(text).1 {
            Ok(Action::Subscribe {
                symbol,
                timeframe,
                indicators,
            }) => {
                let pair = Pair::new(symbol, timeframe);
                for spec in &indicators {
                    let _ = (spec.id(), spec.columns());
                }
                if let Ok(new) =
                    plan_subscribe(&subs, &pair, &indicators, max_indicators, max_pairs)
                {
                    subs.add(&pair, new.iter().map(Spec::id));
                }
            }
            Ok(Action::Unsubscribe(target)) => {
                let gone = unsubscribe_targets(&subs, target);
                for (pair, ids) in gone.pairs() {
                    let ids: Vec<String> = ids.iter().cloned().collect();
                    assert!(ids.iter().all(|id| subs.contains(pair, id)));
                    subs.remove(pair, &ids);
                }
            }
            _ => {}
        }
        assert!(subs.count() <= max_indicators, "over the indicator limit");
        assert!(
            max_pairs == 0 || subs.pairs().count() <= max_pairs,
            "over the pair limit"
        );
        assert_eq!(
            Subscriptions::from_json(&subs.to_json()),
            subs,
            "JSON round trip"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::symbol::Symbol;
    use shared::timeframe::Timeframe;

    fn pair(s: &str) -> Pair {
        Pair::new(Symbol::parse(s).unwrap(), Timeframe::M5)
    }

    fn specs(ids: &[&str]) -> Vec<Spec> {
        ids.iter().map(|i| Spec::from_id(i).unwrap()).collect()
    }

    // Shows a subscribe adds only what is not watched yet, and the per-connection limit counts
    // every pair.
    #[test]
    fn subscribe_plan() {
        let mut subs = Subscriptions::default();
        subs.add(&pair("A"), ["RSI_14".to_owned()]);
        let new = plan_subscribe(&subs, &pair("A"), &specs(&["RSI_14", "SMA_20"]), 2, 1).unwrap();
        assert_eq!(new, specs(&["SMA_20"]));
        let held = plan_subscribe(&subs, &pair("A"), &specs(&["RSI_14"]), 1, 1).unwrap();
        assert!(held.is_empty(), "re-subscribing is free");
        let e = plan_subscribe(&subs, &pair("B"), &specs(&["RSI_14", "SMA_20"]), 2, 0).unwrap_err();
        assert_eq!(e.code, ErrorCode::TooManyIndicators);
        assert!(e.message.contains("it watches 1"), "{}", e.message);
        // A second pair past a limit of one; the first pair stays open to more indicators.
        let e = plan_subscribe(&subs, &pair("B"), &specs(&["RSI_14"]), 9, 1).unwrap_err();
        assert_eq!(e.code, ErrorCode::TooManyPairs);
        assert!(plan_subscribe(&subs, &pair("A"), &specs(&["SMA_5"]), 9, 1).is_ok());
    }

    // Shows what each unsubscribe form removes: everything, one pair, or the named ids that
    // are watched.
    #[test]
    fn unsubscribe_forms() {
        let mut subs = Subscriptions::default();
        subs.add(&pair("A"), ["RSI_14".to_owned(), "SMA_20".to_owned()]);
        subs.add(&pair("B"), ["RSI_14".to_owned()]);
        assert_eq!(unsubscribe_targets(&subs, UnsubscribeTarget::All), subs);
        let a = unsubscribe_targets(
            &subs,
            UnsubscribeTarget::Pair {
                symbol: Symbol::parse("A").unwrap(),
                timeframe: Timeframe::M5,
            },
        );
        assert_eq!(a.count(), 2);
        assert!(!a.contains(&pair("B"), "RSI_14"));
        let named = unsubscribe_targets(
            &subs,
            UnsubscribeTarget::Indicators {
                symbol: Symbol::parse("B").unwrap(),
                timeframe: Timeframe::M5,
                ids: vec!["RSI_14".into(), "MACD_12_26_9".into()],
            },
        );
        assert_eq!(named.entries().count(), 1, "an id not watched is ignored");
    }
}
