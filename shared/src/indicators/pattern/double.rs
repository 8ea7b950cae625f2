//! Two-candle patterns: `w.bar(1)` is the first candle, `w.bar(0)` the second.

use super::candles::{Bar, Window, body_gap_down, body_gap_up, gap_down, gap_up, pattern};

pattern! {
    /// `CDLENGULFING`: the second body, of the other color, engulfs the first; 100 when
    /// both ends are beyond the first body, 80 when one end matches; signed by the second
    /// candle's color. TA-Lib 0.8.1's lookback is 2 (the rule reads one candle back).
    CdlEngulfing, 2, [],
    |w| {
        let (a, b) = (w.bar(1), w.bar(0));
        let engulfs = (b.white()
            && a.black()
            && ((b.c >= a.o && b.o < a.c) || (b.c > a.o && b.o <= a.c)))
            || (b.black()
                && a.white()
                && ((b.o >= a.c && b.c < a.o) || (b.o > a.c && b.c <= a.o)));
        if !engulfs {
            0
        } else if b.o != a.c && b.c != a.o {
            b.color() * 100
        } else {
            b.color() * 80
        }
    },
}

/// Harami's and harami cross's engulfment: -100 (first white) / 100 when the second body is
/// strictly inside the first, ±80 when one end matches.
fn harami(a: Bar, b: Bar) -> i32 {
    if b.top() < a.top() && b.bottom() > a.bottom() {
        -a.color() * 100
    } else if b.top() <= a.top() && b.bottom() >= a.bottom() {
        -a.color() * 80
    } else {
        0
    }
}

pattern! {
    /// `CDLHARAMI`: long first body, short second body inside it; ±100, ±80 (one end
    /// matching), against the first candle's color.
    CdlHarami, 11, [slot(BodyLong, 1), slot(BodyShort, 0)],
    |w| {
        let (a, b) = (w.bar(1), w.bar(0));
        if a.body() > w.avg(0) && b.body() <= w.avg(1) { harami(a, b) } else { 0 }
    },
}

pattern! {
    /// `CDLHARAMICROSS`: as `CDLHARAMI` with a doji second candle.
    CdlHaramiCross, 11, [slot(BodyLong, 1), slot(BodyDoji, 0)],
    |w| {
        let (a, b) = (w.bar(1), w.bar(0));
        if a.body() > w.avg(0) && b.body() <= w.avg(1) { harami(a, b) } else { 0 }
    },
}

pattern! {
    /// `CDLDOJISTAR`: long first body, doji whose body gaps away from it (up after white,
    /// down after black); -100 after white, 100 after black.
    CdlDojiStar, 11, [slot(BodyLong, 1), slot(BodyDoji, 0)],
    |w| {
        let (a, b) = (w.bar(1), w.bar(0));
        i32::from(
            a.body() > w.avg(0)
                && b.body() <= w.avg(1)
                && ((a.white() && body_gap_up(b, a)) || (a.black() && body_gap_down(b, a))),
        ) * -a.color()
            * 100
    },
}

pattern! {
    /// `CDLCOUNTERATTACK`: two long candles of opposite colors with closes within Equal;
    /// ±100 by the second's color.
    CdlCounterattack, 11, [slot(Equal, 1), slot(BodyLong, 1), slot(BodyLong, 0)],
    |w| {
        let (a, b) = (w.bar(1), w.bar(0));
        i32::from(
            a.color() == -b.color()
                && a.body() > w.avg(1)
                && b.body() > w.avg(2)
                && b.c <= a.c + w.avg(0)
                && b.c >= a.c - w.avg(0),
        ) * b.color()
            * 100
    },
}

pattern! {
    /// `CDLDARKCLOUDCOVER`: long white, then black opening above its high and closing inside
    /// its body below `close - body * penetration` (as written in C, no fused multiply-add);
    /// -100.
    CdlDarkCloudCover(penetration), 11, [slot(BodyLong, 1)],
    |w| {
        let (a, b) = (w.bar(1), w.bar(0));
        -i32::from(
            a.white()
                && a.body() > w.avg(0)
                && b.black()
                && b.o > a.h
                && b.c > a.o
                && b.c < a.c - a.body() * w.param(),
        ) * 100
    },
}

pattern! {
    /// `CDLPIERCING`: long black, then long white opening below its low and closing inside
    /// its body above the midpoint (`close + body * 0.5`); 100.
    CdlPiercing, 11, [slot(BodyLong, 1), slot(BodyLong, 0)],
    |w| {
        let (a, b) = (w.bar(1), w.bar(0));
        i32::from(
            a.black()
                && a.body() > w.avg(0)
                && b.white()
                && b.body() > w.avg(1)
                && b.o < a.l
                && b.c < a.o
                && b.c > a.c + a.body() * 0.5,
        ) * 100
    },
}

/// Kicking's two opposite marubozu with a gap between them (slots: very short shadows of
/// the first and second candle, long bodies of the first and second).
fn kicking(w: &Window<'_>) -> bool {
    let (a, b) = (w.bar(1), w.bar(0));
    a.color() == -b.color()
        && a.body() > w.avg(2)
        && a.upper() < w.avg(0)
        && a.lower() < w.avg(0)
        && b.body() > w.avg(3)
        && b.upper() < w.avg(1)
        && b.lower() < w.avg(1)
        && ((a.black() && gap_up(b, a)) || (a.white() && gap_down(b, a)))
}

pattern! {
    /// `CDLKICKING`: two opposite marubozu, the second gapping away; ±100 by the second's
    /// color.
    CdlKicking, 11,
    [slot(ShadowVeryShort, 1), slot(ShadowVeryShort, 0), slot(BodyLong, 1), slot(BodyLong, 0)],
    |w| i32::from(kicking(w)) * w.bar(0).color() * 100,
}

pattern! {
    /// `CDLKICKINGBYLENGTH`: as `CDLKICKING`, signed by the color of the longer marubozu.
    CdlKickingByLength, 11,
    [slot(ShadowVeryShort, 1), slot(ShadowVeryShort, 0), slot(BodyLong, 1), slot(BodyLong, 0)],
    |w| {
        let (a, b) = (w.bar(1), w.bar(0));
        let longer = if b.body() > a.body() { b } else { a };
        i32::from(kicking(w)) * longer.color() * 100
    },
}

pattern! {
    /// `CDLHOMINGPIGEON`: long black, then a short black body inside it; 100.
    CdlHomingPigeon, 11, [slot(BodyLong, 1), slot(BodyShort, 0)],
    |w| {
        let (a, b) = (w.bar(1), w.bar(0));
        i32::from(
            a.black()
                && b.black()
                && a.body() > w.avg(0)
                && b.body() <= w.avg(1)
                && b.o < a.o
                && b.c > a.c,
        ) * 100
    },
}

pattern! {
    /// `CDLINNECK`: long black, then white opening below its low and closing at most Equal
    /// above its close; -100.
    CdlInNeck, 11, [slot(Equal, 1), slot(BodyLong, 1)],
    |w| {
        let (a, b) = (w.bar(1), w.bar(0));
        -i32::from(
            a.black()
                && a.body() > w.avg(1)
                && b.white()
                && b.o < a.l
                && b.c <= a.c + w.avg(0)
                && b.c >= a.c,
        ) * 100
    },
}

pattern! {
    /// `CDLONNECK`: long black, then white opening below its low and closing within Equal of
    /// its low; -100.
    CdlOnNeck, 11, [slot(Equal, 1), slot(BodyLong, 1)],
    |w| {
        let (a, b) = (w.bar(1), w.bar(0));
        -i32::from(
            a.black()
                && a.body() > w.avg(1)
                && b.white()
                && b.o < a.l
                && b.c <= a.l + w.avg(0)
                && b.c >= a.l - w.avg(0),
        ) * 100
    },
}

pattern! {
    /// `CDLTHRUSTING`: long black, then white opening below its low and closing more than
    /// Equal above its close but at most at its body's midpoint; -100.
    CdlThrusting, 11, [slot(Equal, 1), slot(BodyLong, 1)],
    |w| {
        let (a, b) = (w.bar(1), w.bar(0));
        -i32::from(
            a.black()
                && a.body() > w.avg(1)
                && b.white()
                && b.o < a.l
                && b.c > a.c + w.avg(0)
                && b.c <= a.c + a.body() * 0.5,
        ) * 100
    },
}

pattern! {
    /// `CDLSEPARATINGLINES`: opposite colors, same open (within Equal), the second a long
    /// belt hold; ±100 by the second's color.
    CdlSeparatingLines, 11, [slot(ShadowVeryShort, 0), slot(BodyLong, 0), slot(Equal, 1)],
    |w| {
        let (a, b) = (w.bar(1), w.bar(0));
        i32::from(
            a.color() == -b.color()
                && b.o <= a.o + w.avg(2)
                && b.o >= a.o - w.avg(2)
                && b.body() > w.avg(1)
                && ((b.white() && b.lower() < w.avg(0)) || (b.black() && b.upper() < w.avg(0))),
        ) * b.color()
            * 100
    },
}

pattern! {
    /// `CDLMATCHINGLOW`: two black candles with closes within Equal; 100.
    CdlMatchingLow, 6, [slot(Equal, 1)],
    |w| {
        let (a, b) = (w.bar(1), w.bar(0));
        i32::from(a.black() && b.black() && b.c <= a.c + w.avg(0) && b.c >= a.c - w.avg(0)) * 100
    },
}
