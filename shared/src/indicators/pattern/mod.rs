//! The pattern family, TA-Lib's "Pattern Recognition" group: the CDL* candle patterns on
//! open, high, low and close, -100/0/100 (or ±200) per candle, 0 (not null) during TA-Lib's
//! lookback. Every pattern is O(1) per update: it keeps the last 16 candles and one running
//! total per candle-setting average (`candles`).
//!
//! Its catalogue rows are the `pattern_rows` group below (see `super::registry`).

mod candles;
mod single;

pub use single::*;

use super::registry::row_group;

row_group! { $ pattern_rows:
    CdlDoji { name: "CDLDOJI", family: pattern, params: [], talib: "CDLDOJI", new: |_p| CdlDoji::new() },
    CdlDragonflyDoji { name: "CDLDRAGONFLYDOJI", family: pattern, params: [], talib: "CDLDRAGONFLYDOJI", new: |_p| CdlDragonflyDoji::new() },
    CdlGravestoneDoji { name: "CDLGRAVESTONEDOJI", family: pattern, params: [], talib: "CDLGRAVESTONEDOJI", new: |_p| CdlGravestoneDoji::new() },
    CdlLongLeggedDoji { name: "CDLLONGLEGGEDDOJI", family: pattern, params: [], talib: "CDLLONGLEGGEDDOJI", new: |_p| CdlLongLeggedDoji::new() },
    CdlRickshawMan { name: "CDLRICKSHAWMAN", family: pattern, params: [], talib: "CDLRICKSHAWMAN", new: |_p| CdlRickshawMan::new() },
    CdlHammer { name: "CDLHAMMER", family: pattern, params: [], talib: "CDLHAMMER", new: |_p| CdlHammer::new() },
    CdlHangingMan { name: "CDLHANGINGMAN", family: pattern, params: [], talib: "CDLHANGINGMAN", new: |_p| CdlHangingMan::new() },
    CdlInvertedHammer { name: "CDLINVERTEDHAMMER", family: pattern, params: [], talib: "CDLINVERTEDHAMMER", new: |_p| CdlInvertedHammer::new() },
    CdlShootingStar { name: "CDLSHOOTINGSTAR", family: pattern, params: [], talib: "CDLSHOOTINGSTAR", new: |_p| CdlShootingStar::new() },
    CdlMarubozu { name: "CDLMARUBOZU", family: pattern, params: [], talib: "CDLMARUBOZU", new: |_p| CdlMarubozu::new() },
    CdlClosingMarubozu { name: "CDLCLOSINGMARUBOZU", family: pattern, params: [], talib: "CDLCLOSINGMARUBOZU", new: |_p| CdlClosingMarubozu::new() },
    CdlBeltHold { name: "CDLBELTHOLD", family: pattern, params: [], talib: "CDLBELTHOLD", new: |_p| CdlBeltHold::new() },
    CdlSpinningTop { name: "CDLSPINNINGTOP", family: pattern, params: [], talib: "CDLSPINNINGTOP", new: |_p| CdlSpinningTop::new() },
    CdlHighWave { name: "CDLHIGHWAVE", family: pattern, params: [], talib: "CDLHIGHWAVE", new: |_p| CdlHighWave::new() },
    CdlLongLine { name: "CDLLONGLINE", family: pattern, params: [], talib: "CDLLONGLINE", new: |_p| CdlLongLine::new() },
    CdlShortLine { name: "CDLSHORTLINE", family: pattern, params: [], talib: "CDLSHORTLINE", new: |_p| CdlShortLine::new() },
    CdlTakuri { name: "CDLTAKURI", family: pattern, params: [], talib: "CDLTAKURI", new: |_p| CdlTakuri::new() },
}
