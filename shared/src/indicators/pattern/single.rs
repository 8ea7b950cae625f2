//! One-candle patterns (the hammers compare with the previous candle too). Each rule is
//! TA-Lib's condition in its order; slot `k` of the list is `w.avg(k)`.

use super::candles::{body_gap_down, body_gap_up, pattern};

pattern! {
    /// `CDLDOJI`: body <= BodyDoji; 100.
    CdlDoji, 10, [slot(BodyDoji, 0)],
    |w| if w.bar(0).body() <= w.avg(0) { 100 } else { 0 },
}

pattern! {
    /// `CDLDRAGONFLYDOJI`: doji body, very short upper shadow, lower shadow not very short;
    /// 100.
    CdlDragonflyDoji, 10, [slot(BodyDoji, 0), slot(ShadowVeryShort, 0)],
    |w| {
        let b = w.bar(0);
        i32::from(b.body() <= w.avg(0) && b.upper() < w.avg(1) && b.lower() > w.avg(1)) * 100
    },
}

pattern! {
    /// `CDLGRAVESTONEDOJI`: doji body, very short lower shadow, upper shadow not very short;
    /// 100.
    CdlGravestoneDoji, 10, [slot(BodyDoji, 0), slot(ShadowVeryShort, 0)],
    |w| {
        let b = w.bar(0);
        i32::from(b.body() <= w.avg(0) && b.lower() < w.avg(1) && b.upper() > w.avg(1)) * 100
    },
}

pattern! {
    /// `CDLLONGLEGGEDDOJI`: doji body, one shadow longer than the body (ShadowLong); 100.
    CdlLongLeggedDoji, 10, [slot(BodyDoji, 0), slot(ShadowLong, 0)],
    |w| {
        let b = w.bar(0);
        i32::from(b.body() <= w.avg(0) && (b.lower() > w.avg(1) || b.upper() > w.avg(1))) * 100
    },
}

pattern! {
    /// `CDLRICKSHAWMAN`: doji body, two long shadows, body within Near of the range's
    /// midpoint `low + (high - low) / 2`; 100.
    CdlRickshawMan, 10, [slot(BodyDoji, 0), slot(ShadowLong, 0), slot(Near, 0)],
    |w| {
        let b = w.bar(0);
        let mid = b.l + (b.h - b.l) / 2.0;
        i32::from(
            b.body() <= w.avg(0)
                && b.lower() > w.avg(1)
                && b.upper() > w.avg(1)
                && b.bottom() <= mid + w.avg(2)
                && b.top() >= mid - w.avg(2),
        ) * 100
    },
}

pattern! {
    /// `CDLHAMMER`: short body, long lower shadow, very short upper shadow, body bottom
    /// near (Near of the previous candle) or below the previous low; 100.
    CdlHammer, 11,
    [slot(BodyShort, 0), slot(ShadowLong, 0), slot(ShadowVeryShort, 0), slot(Near, 1)],
    |w| {
        let (b, p) = (w.bar(0), w.bar(1));
        i32::from(
            b.body() < w.avg(0)
                && b.lower() > w.avg(1)
                && b.upper() < w.avg(2)
                && b.bottom() <= p.l + w.avg(3),
        ) * 100
    },
}

pattern! {
    /// `CDLHANGINGMAN`: short body, long lower shadow, very short upper shadow, body bottom
    /// near or above the previous high; -100.
    CdlHangingMan, 11,
    [slot(BodyShort, 0), slot(ShadowLong, 0), slot(ShadowVeryShort, 0), slot(Near, 1)],
    |w| {
        let (b, p) = (w.bar(0), w.bar(1));
        -i32::from(
            b.body() < w.avg(0)
                && b.lower() > w.avg(1)
                && b.upper() < w.avg(2)
                && b.bottom() >= p.h - w.avg(3),
        ) * 100
    },
}

pattern! {
    /// `CDLINVERTEDHAMMER`: short body, long upper shadow, very short lower shadow, body
    /// gapping down from the previous body; 100.
    CdlInvertedHammer, 11, [slot(BodyShort, 0), slot(ShadowLong, 0), slot(ShadowVeryShort, 0)],
    |w| {
        let (b, p) = (w.bar(0), w.bar(1));
        i32::from(
            b.body() < w.avg(0)
                && b.upper() > w.avg(1)
                && b.lower() < w.avg(2)
                && body_gap_down(b, p),
        ) * 100
    },
}

pattern! {
    /// `CDLSHOOTINGSTAR`: short body, long upper shadow, very short lower shadow, body
    /// gapping up from the previous body; -100.
    CdlShootingStar, 11, [slot(BodyShort, 0), slot(ShadowLong, 0), slot(ShadowVeryShort, 0)],
    |w| {
        let (b, p) = (w.bar(0), w.bar(1));
        -i32::from(
            b.body() < w.avg(0)
                && b.upper() > w.avg(1)
                && b.lower() < w.avg(2)
                && body_gap_up(b, p),
        ) * 100
    },
}

pattern! {
    /// `CDLMARUBOZU`: long body, very short shadows; 100 white, -100 black.
    CdlMarubozu, 10, [slot(BodyLong, 0), slot(ShadowVeryShort, 0)],
    |w| {
        let b = w.bar(0);
        i32::from(b.body() > w.avg(0) && b.upper() < w.avg(1) && b.lower() < w.avg(1))
            * b.color()
            * 100
    },
}

pattern! {
    /// `CDLCLOSINGMARUBOZU`: long body, very short shadow on the closing side; ±100 by color.
    CdlClosingMarubozu, 10, [slot(BodyLong, 0), slot(ShadowVeryShort, 0)],
    |w| {
        let b = w.bar(0);
        i32::from(
            b.body() > w.avg(0)
                && ((b.white() && b.upper() < w.avg(1)) || (b.black() && b.lower() < w.avg(1))),
        ) * b.color()
            * 100
    },
}

pattern! {
    /// `CDLBELTHOLD`: long body, very short shadow on the opening side; ±100 by color.
    CdlBeltHold, 10, [slot(BodyLong, 0), slot(ShadowVeryShort, 0)],
    |w| {
        let b = w.bar(0);
        i32::from(
            b.body() > w.avg(0)
                && ((b.white() && b.lower() < w.avg(1)) || (b.black() && b.upper() < w.avg(1))),
        ) * b.color()
            * 100
    },
}

pattern! {
    /// `CDLSPINNINGTOP`: short body, both shadows longer than the body; ±100 by color.
    CdlSpinningTop, 10, [slot(BodyShort, 0)],
    |w| {
        let b = w.bar(0);
        i32::from(b.body() < w.avg(0) && b.upper() > b.body() && b.lower() > b.body())
            * b.color()
            * 100
    },
}

pattern! {
    /// `CDLHIGHWAVE`: short body, both shadows very long (ShadowVeryLong); ±100 by color.
    CdlHighWave, 10, [slot(BodyShort, 0), slot(ShadowVeryLong, 0)],
    |w| {
        let b = w.bar(0);
        i32::from(b.body() < w.avg(0) && b.upper() > w.avg(1) && b.lower() > w.avg(1))
            * b.color()
            * 100
    },
}

pattern! {
    /// `CDLLONGLINE`: long body, short shadows (ShadowShort); ±100 by color.
    CdlLongLine, 10, [slot(BodyLong, 0), slot(ShadowShort, 0)],
    |w| {
        let b = w.bar(0);
        i32::from(b.body() > w.avg(0) && b.upper() < w.avg(1) && b.lower() < w.avg(1))
            * b.color()
            * 100
    },
}

pattern! {
    /// `CDLSHORTLINE`: short body, short shadows; ±100 by color.
    CdlShortLine, 10, [slot(BodyShort, 0), slot(ShadowShort, 0)],
    |w| {
        let b = w.bar(0);
        i32::from(b.body() < w.avg(0) && b.upper() < w.avg(1) && b.lower() < w.avg(1))
            * b.color()
            * 100
    },
}

pattern! {
    /// `CDLTAKURI`: doji body, very short upper shadow, very long lower shadow; 100.
    CdlTakuri, 10, [slot(BodyDoji, 0), slot(ShadowVeryShort, 0), slot(ShadowVeryLong, 0)],
    |w| {
        let b = w.bar(0);
        i32::from(b.body() <= w.avg(0) && b.upper() < w.avg(1) && b.lower() > w.avg(2)) * 100
    },
}
