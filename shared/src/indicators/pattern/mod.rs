//! The pattern family, TA-Lib's "Pattern Recognition" group: the CDL* candle patterns on
//! open, high, low and close, -100/0/100 (or ±200) per candle, 0 (not null) during TA-Lib's
//! lookback. Every pattern is O(1) per update: it keeps the last 16 candles and one running
//! total per candle-setting average (`candles`).
//!
//! Its catalogue rows are the `pattern_rows` group below (see `super::registry`).

mod advance;
mod candles;
mod double;
mod hikkake;
mod long;
mod single;
mod triple;

pub use advance::*;
pub use double::*;
pub use hikkake::*;
pub use long::*;
pub use single::*;
pub use triple::*;

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
    CdlEngulfing { name: "CDLENGULFING", family: pattern, params: [], talib: "CDLENGULFING", new: |_p| CdlEngulfing::new() },
    CdlHarami { name: "CDLHARAMI", family: pattern, params: [], talib: "CDLHARAMI", new: |_p| CdlHarami::new() },
    CdlHaramiCross { name: "CDLHARAMICROSS", family: pattern, params: [], talib: "CDLHARAMICROSS", new: |_p| CdlHaramiCross::new() },
    CdlDojiStar { name: "CDLDOJISTAR", family: pattern, params: [], talib: "CDLDOJISTAR", new: |_p| CdlDojiStar::new() },
    CdlCounterattack { name: "CDLCOUNTERATTACK", family: pattern, params: [], talib: "CDLCOUNTERATTACK", new: |_p| CdlCounterattack::new() },
    CdlDarkCloudCover { name: "CDLDARKCLOUDCOVER", family: pattern, params: [float("penetration", 0.5, 0.0, 1.7976931348623157e308)], talib: "CDLDARKCLOUDCOVER", new: |p| CdlDarkCloudCover::new(p.num(0)) },
    CdlPiercing { name: "CDLPIERCING", family: pattern, params: [], talib: "CDLPIERCING", new: |_p| CdlPiercing::new() },
    CdlKicking { name: "CDLKICKING", family: pattern, params: [], talib: "CDLKICKING", new: |_p| CdlKicking::new() },
    CdlKickingByLength { name: "CDLKICKINGBYLENGTH", family: pattern, params: [], talib: "CDLKICKINGBYLENGTH", new: |_p| CdlKickingByLength::new() },
    CdlHomingPigeon { name: "CDLHOMINGPIGEON", family: pattern, params: [], talib: "CDLHOMINGPIGEON", new: |_p| CdlHomingPigeon::new() },
    CdlInNeck { name: "CDLINNECK", family: pattern, params: [], talib: "CDLINNECK", new: |_p| CdlInNeck::new() },
    CdlOnNeck { name: "CDLONNECK", family: pattern, params: [], talib: "CDLONNECK", new: |_p| CdlOnNeck::new() },
    CdlThrusting { name: "CDLTHRUSTING", family: pattern, params: [], talib: "CDLTHRUSTING", new: |_p| CdlThrusting::new() },
    CdlSeparatingLines { name: "CDLSEPARATINGLINES", family: pattern, params: [], talib: "CDLSEPARATINGLINES", new: |_p| CdlSeparatingLines::new() },
    CdlMatchingLow { name: "CDLMATCHINGLOW", family: pattern, params: [], talib: "CDLMATCHINGLOW", new: |_p| CdlMatchingLow::new() },
    Cdl2Crows { name: "CDL2CROWS", family: pattern, params: [], talib: "CDL2CROWS", new: |_p| Cdl2Crows::new() },
    Cdl3BlackCrows { name: "CDL3BLACKCROWS", family: pattern, params: [], talib: "CDL3BLACKCROWS", new: |_p| Cdl3BlackCrows::new() },
    Cdl3Inside { name: "CDL3INSIDE", family: pattern, params: [], talib: "CDL3INSIDE", new: |_p| Cdl3Inside::new() },
    Cdl3Outside { name: "CDL3OUTSIDE", family: pattern, params: [], talib: "CDL3OUTSIDE", new: |_p| Cdl3Outside::new() },
    Cdl3LineStrike { name: "CDL3LINESTRIKE", family: pattern, params: [], talib: "CDL3LINESTRIKE", new: |_p| Cdl3LineStrike::new() },
    CdlAbandonedBaby { name: "CDLABANDONEDBABY", family: pattern, params: [float("penetration", 0.3, 0.0, 1.7976931348623157e308)], talib: "CDLABANDONEDBABY", new: |p| CdlAbandonedBaby::new(p.num(0)) },
    CdlEveningDojiStar { name: "CDLEVENINGDOJISTAR", family: pattern, params: [float("penetration", 0.3, 0.0, 1.7976931348623157e308)], talib: "CDLEVENINGDOJISTAR", new: |p| CdlEveningDojiStar::new(p.num(0)) },
    CdlEveningStar { name: "CDLEVENINGSTAR", family: pattern, params: [float("penetration", 0.3, 0.0, 1.7976931348623157e308)], talib: "CDLEVENINGSTAR", new: |p| CdlEveningStar::new(p.num(0)) },
    CdlMorningDojiStar { name: "CDLMORNINGDOJISTAR", family: pattern, params: [float("penetration", 0.3, 0.0, 1.7976931348623157e308)], talib: "CDLMORNINGDOJISTAR", new: |p| CdlMorningDojiStar::new(p.num(0)) },
    CdlMorningStar { name: "CDLMORNINGSTAR", family: pattern, params: [float("penetration", 0.3, 0.0, 1.7976931348623157e308)], talib: "CDLMORNINGSTAR", new: |p| CdlMorningStar::new(p.num(0)) },
    CdlGapSideSideWhite { name: "CDLGAPSIDESIDEWHITE", family: pattern, params: [], talib: "CDLGAPSIDESIDEWHITE", new: |_p| CdlGapSideSideWhite::new() },
    CdlIdentical3Crows { name: "CDLIDENTICAL3CROWS", family: pattern, params: [], talib: "CDLIDENTICAL3CROWS", new: |_p| CdlIdentical3Crows::new() },
    CdlStickSandwich { name: "CDLSTICKSANDWICH", family: pattern, params: [], talib: "CDLSTICKSANDWICH", new: |_p| CdlStickSandwich::new() },
    CdlTasukiGap { name: "CDLTASUKIGAP", family: pattern, params: [], talib: "CDLTASUKIGAP", new: |_p| CdlTasukiGap::new() },
    CdlTristar { name: "CDLTRISTAR", family: pattern, params: [], talib: "CDLTRISTAR", new: |_p| CdlTristar::new() },
    CdlUnique3River { name: "CDLUNIQUE3RIVER", family: pattern, params: [], talib: "CDLUNIQUE3RIVER", new: |_p| CdlUnique3River::new() },
    CdlUpsideGap2Crows { name: "CDLUPSIDEGAP2CROWS", family: pattern, params: [], talib: "CDLUPSIDEGAP2CROWS", new: |_p| CdlUpsideGap2Crows::new() },
    CdlXSideGap3Methods { name: "CDLXSIDEGAP3METHODS", family: pattern, params: [], talib: "CDLXSIDEGAP3METHODS", new: |_p| CdlXSideGap3Methods::new() },
    Cdl3WhiteSoldiers { name: "CDL3WHITESOLDIERS", family: pattern, params: [], talib: "CDL3WHITESOLDIERS", new: |_p| Cdl3WhiteSoldiers::new() },
    CdlAdvanceBlock { name: "CDLADVANCEBLOCK", family: pattern, params: [], talib: "CDLADVANCEBLOCK", new: |_p| CdlAdvanceBlock::new() },
    CdlStalledPattern { name: "CDLSTALLEDPATTERN", family: pattern, params: [], talib: "CDLSTALLEDPATTERN", new: |_p| CdlStalledPattern::new() },
    Cdl3StarsInSouth { name: "CDL3STARSINSOUTH", family: pattern, params: [], talib: "CDL3STARSINSOUTH", new: |_p| Cdl3StarsInSouth::new() },
    CdlBreakaway { name: "CDLBREAKAWAY", family: pattern, params: [], talib: "CDLBREAKAWAY", new: |_p| CdlBreakaway::new() },
    CdlMatHold { name: "CDLMATHOLD", family: pattern, params: [float("penetration", 0.5, 0.0, 1.7976931348623157e308)], talib: "CDLMATHOLD", new: |p| CdlMatHold::new(p.num(0)) },
    CdlRiseFall3Methods { name: "CDLRISEFALL3METHODS", family: pattern, params: [], talib: "CDLRISEFALL3METHODS", new: |_p| CdlRiseFall3Methods::new() },
    CdlConcealBabySwall { name: "CDLCONCEALBABYSWALL", family: pattern, params: [], talib: "CDLCONCEALBABYSWALL", new: |_p| CdlConcealBabySwall::new() },
    CdlLadderBottom { name: "CDLLADDERBOTTOM", family: pattern, params: [], talib: "CDLLADDERBOTTOM", new: |_p| CdlLadderBottom::new() },
    CdlHikkake { name: "CDLHIKKAKE", family: pattern, params: [], talib: "CDLHIKKAKE", new: |_p| CdlHikkake::new() },
    CdlHikkakeMod { name: "CDLHIKKAKEMOD", family: pattern, params: [], talib: "CDLHIKKAKEMOD", new: |_p| CdlHikkakeMod::new() },
}
