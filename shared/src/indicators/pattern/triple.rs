//! Three-candle patterns: `w.bar(2)` is the first candle, `w.bar(0)` the third (a few read
//! one more candle back).

use super::candles::{Window, body_gap_down, body_gap_up, gap_down, gap_up, pattern};

pattern! {
    /// `CDL2CROWS`: long white, black gapping up, black opening inside the second body and
    /// closing inside the first; -100.
    Cdl2Crows, 12, [slot(BodyLong, 2)],
    |w| {
        let (a, b, c) = (w.bar(2), w.bar(1), w.bar(0));
        -i32::from(
            a.white()
                && a.body() > w.avg(0)
                && b.black()
                && body_gap_up(b, a)
                && c.black()
                && c.o < b.o
                && c.o > b.c
                && c.c > a.o
                && c.c < a.c,
        ) * 100
    },
}

pattern! {
    /// `CDL3BLACKCROWS`: a white candle, then three black candles with very short lower
    /// shadows, each opening inside the previous body and closing lower, the first closing
    /// under the white candle's high; -100.
    Cdl3BlackCrows, 13,
    [slot(ShadowVeryShort, 2), slot(ShadowVeryShort, 1), slot(ShadowVeryShort, 0)],
    |w| {
        let (z, a, b, c) = (w.bar(3), w.bar(2), w.bar(1), w.bar(0));
        -i32::from(
            z.white()
                && a.black()
                && a.lower() < w.avg(0)
                && b.black()
                && b.lower() < w.avg(1)
                && c.black()
                && c.lower() < w.avg(2)
                && b.o < a.o
                && b.o > a.c
                && c.o < b.o
                && c.o > b.c
                && z.h > a.c
                && a.c > b.c
                && b.c > c.c,
        ) * 100
    },
}

pattern! {
    /// `CDL3INSIDE`: a harami (long first, short second strictly inside it) confirmed by a
    /// third candle closing beyond the first's open; -100 after white, 100 after black.
    Cdl3Inside, 12, [slot(BodyLong, 2), slot(BodyShort, 1)],
    |w| {
        let (a, b, c) = (w.bar(2), w.bar(1), w.bar(0));
        i32::from(
            a.body() > w.avg(0)
                && b.body() <= w.avg(1)
                && b.top() < a.top()
                && b.bottom() > a.bottom()
                && ((a.white() && c.black() && c.c < a.o) || (a.black() && c.white() && c.c > a.o)),
        ) * -a.color()
            * 100
    },
}

pattern! {
    /// `CDL3OUTSIDE`: an engulfing confirmed by a third candle closing further; ±100 by the
    /// second's color.
    Cdl3Outside, 3, [],
    |w| {
        let (a, b, c) = (w.bar(2), w.bar(1), w.bar(0));
        if b.white() && a.black() && b.c > a.o && b.o < a.c && c.c > b.c {
            100
        } else if b.black() && a.white() && b.o > a.c && b.c < a.o && c.c < b.c {
            -100
        } else {
            0
        }
    },
}

pattern! {
    /// `CDL3LINESTRIKE`: three candles of one color, each opening within Near of the
    /// previous body and closing further, then one of the other color opening beyond the
    /// third close and closing beyond the first open; ±100 by the third's color.
    Cdl3LineStrike, 8, [slot(Near, 3), slot(Near, 2)],
    |w| {
        let (z, a, b, c) = (w.bar(3), w.bar(2), w.bar(1), w.bar(0));
        let same = z.color() == a.color() && a.color() == b.color() && c.color() == -b.color();
        let opens = a.o >= z.bottom() - w.avg(0)
            && a.o <= z.top() + w.avg(0)
            && b.o >= a.bottom() - w.avg(1)
            && b.o <= a.top() + w.avg(1);
        let white = b.white() && b.c > a.c && a.c > z.c && c.o > b.c && c.c < z.o;
        let black = b.black() && b.c < a.c && a.c < z.c && c.o < b.c && c.c > z.o;
        i32::from(same && opens && (white || black)) * b.color() * 100
    },
}

pattern! {
    /// `CDLABANDONEDBABY`: long first body, a doji gapping away (shadows too), a third
    /// candle longer than short gapping back and closing beyond `close1 ∓ body1 *
    /// penetration`; ±100 by the third's color.
    CdlAbandonedBaby(penetration), 12,
    [slot(BodyLong, 2), slot(BodyDoji, 1), slot(BodyShort, 0)],
    |w| {
        let (a, b, c) = (w.bar(2), w.bar(1), w.bar(0));
        let p = w.param();
        i32::from(
            a.body() > w.avg(0)
                && b.body() <= w.avg(1)
                && c.body() > w.avg(2)
                && ((a.white()
                    && c.black()
                    && c.c < a.c - a.body() * p
                    && gap_up(b, a)
                    && gap_down(c, b))
                    || (a.black()
                        && c.white()
                        && c.c > a.c + a.body() * p
                        && gap_down(b, a)
                        && gap_up(c, b))),
        ) * c.color()
            * 100
    },
}

pattern! {
    /// `CDLEVENINGDOJISTAR`: long white, a doji whose body gaps up, a black candle longer
    /// than short closing under `close1 - body1 * penetration`; -100.
    CdlEveningDojiStar(penetration), 12,
    [slot(BodyLong, 2), slot(BodyDoji, 1), slot(BodyShort, 0)],
    evening_star,
}

pattern! {
    /// `CDLEVENINGSTAR`: long white, a short body gapping up, a black candle longer than
    /// short closing under `close1 - body1 * penetration`; -100.
    CdlEveningStar(penetration), 12,
    [slot(BodyLong, 2), slot(BodyShort, 1), slot(BodyShort, 0)],
    evening_star,
}

pattern! {
    /// `CDLMORNINGDOJISTAR`: long black, a doji whose body gaps down, a white candle longer
    /// than short closing above `close1 + body1 * penetration`; 100.
    CdlMorningDojiStar(penetration), 12,
    [slot(BodyLong, 2), slot(BodyDoji, 1), slot(BodyShort, 0)],
    morning_star,
}

pattern! {
    /// `CDLMORNINGSTAR`: long black, a short body gapping down, a white candle longer than
    /// short closing above `close1 + body1 * penetration`; 100.
    CdlMorningStar(penetration), 12,
    [slot(BodyLong, 2), slot(BodyShort, 1), slot(BodyShort, 0)],
    morning_star,
}

pattern! {
    /// `CDLGAPSIDESIDEWHITE`: two white candles side by side (bodies within Near in size,
    /// opens within Equal) both gapping up (100) or down (-100) from the first candle.
    CdlGapSideSideWhite, 7, [slot(Near, 1), slot(Equal, 1)],
    |w| {
        let (a, b, c) = (w.bar(2), w.bar(1), w.bar(0));
        let up = body_gap_up(b, a) && body_gap_up(c, a);
        let down = body_gap_down(b, a) && body_gap_down(c, a);
        let side = (up || down)
            && b.white()
            && c.white()
            && c.body() >= b.body() - w.avg(0)
            && c.body() <= b.body() + w.avg(0)
            && c.o >= b.o - w.avg(1)
            && c.o <= b.o + w.avg(1);
        match (side, up) {
            (false, _) => 0,
            (true, true) => 100,
            (true, false) => -100,
        }
    },
}

pattern! {
    /// `CDLIDENTICAL3CROWS`: three black candles with very short lower shadows, each opening
    /// within Equal of the previous close and closing lower; -100.
    CdlIdentical3Crows, 12,
    [
        slot(ShadowVeryShort, 2),
        slot(ShadowVeryShort, 1),
        slot(ShadowVeryShort, 0),
        slot(Equal, 2),
        slot(Equal, 1),
    ],
    |w| {
        let (a, b, c) = (w.bar(2), w.bar(1), w.bar(0));
        -i32::from(
            a.black()
                && a.lower() < w.avg(0)
                && b.black()
                && b.lower() < w.avg(1)
                && c.black()
                && c.lower() < w.avg(2)
                && a.c > b.c
                && b.c > c.c
                && b.o <= a.c + w.avg(3)
                && b.o >= a.c - w.avg(3)
                && c.o <= b.c + w.avg(4)
                && c.o >= b.c - w.avg(4),
        ) * 100
    },
}

pattern! {
    /// `CDLSTICKSANDWICH`: black, white trading above the first close, black closing within
    /// Equal of the first close; 100.
    CdlStickSandwich, 7, [slot(Equal, 2)],
    |w| {
        let (a, b, c) = (w.bar(2), w.bar(1), w.bar(0));
        i32::from(
            a.black()
                && b.white()
                && c.black()
                && b.l > a.c
                && c.c <= a.c + w.avg(0)
                && c.c >= a.c - w.avg(0),
        ) * 100
    },
}

pattern! {
    /// `CDLTASUKIGAP`: a body gap in the first two candles' direction, then a candle of the
    /// other color opening inside the second body and closing inside the gap, the second and
    /// third bodies within Near in size; ±100 by the second's color.
    CdlTasukiGap, 7, [slot(Near, 1)],
    |w| {
        let (a, b, c) = (w.bar(2), w.bar(1), w.bar(0));
        let near = (b.body() - c.body()).abs() < w.avg(0);
        let up = body_gap_up(b, a)
            && b.white()
            && c.black()
            && c.o < b.c
            && c.o > b.o
            && c.c < b.o
            && c.c > a.top()
            && near;
        let down = body_gap_down(b, a)
            && b.black()
            && c.white()
            && c.o < b.o
            && c.o > b.c
            && c.c > b.o
            && c.c < a.bottom()
            && near;
        i32::from(up || down) * b.color() * 100
    },
}

pattern! {
    /// `CDLTRISTAR`: three dojis (all measured against the first's BodyDoji average), the
    /// middle one's body gapping away; -100 (gap up, third top below the second's), 100
    /// (gap down, third bottom above the second's).
    CdlTristar, 12, [slot(BodyDoji, 2)],
    |w| {
        let (a, b, c) = (w.bar(2), w.bar(1), w.bar(0));
        let doji = w.avg(0);
        if !(a.body() <= doji && b.body() <= doji && c.body() <= doji) {
            0
        } else if body_gap_up(b, a) && c.top() < b.top() {
            -100
        } else if body_gap_down(b, a) && c.bottom() > b.bottom() {
            100
        } else {
            0
        }
    },
}

pattern! {
    /// `CDLUNIQUE3RIVER`: long black, a black harami-like candle with a lower low, a short
    /// white opening above that low; 100.
    CdlUnique3River, 12, [slot(BodyLong, 2), slot(BodyShort, 0)],
    |w| {
        let (a, b, c) = (w.bar(2), w.bar(1), w.bar(0));
        i32::from(
            a.black()
                && a.body() > w.avg(0)
                && b.black()
                && b.c > a.c
                && b.o <= a.o
                && b.l < a.l
                && c.white()
                && c.body() < w.avg(1)
                && c.o > b.l,
        ) * 100
    },
}

pattern! {
    /// `CDLUPSIDEGAP2CROWS`: long white, a short black gapping up, a black engulfing it and
    /// closing above the first close; -100.
    CdlUpsideGap2Crows, 12, [slot(BodyLong, 2), slot(BodyShort, 1)],
    |w| {
        let (a, b, c) = (w.bar(2), w.bar(1), w.bar(0));
        -i32::from(
            a.white()
                && a.body() > w.avg(0)
                && b.black()
                && b.body() <= w.avg(1)
                && body_gap_up(b, a)
                && c.black()
                && c.o > b.o
                && c.c < b.c
                && c.c > a.c,
        ) * 100
    },
}

pattern! {
    /// `CDLXSIDEGAP3METHODS`: two candles of one color with a body gap, then one of the
    /// other color opening inside the second body and closing inside the first; ±100 by
    /// the first's color.
    CdlXSideGap3Methods, 2, [],
    |w| {
        let (a, b, c) = (w.bar(2), w.bar(1), w.bar(0));
        i32::from(
            a.color() == b.color()
                && b.color() == -c.color()
                && c.o < b.top()
                && c.o > b.bottom()
                && c.c < a.top()
                && c.c > a.bottom()
                && ((a.white() && body_gap_up(b, a)) || (a.black() && body_gap_down(b, a))),
        ) * a.color()
            * 100
    },
}

/// The evening star rule, with a doji or a short middle body (the slots say which).
fn evening_star(w: &Window<'_>) -> i32 {
    let (a, b, c) = (w.bar(2), w.bar(1), w.bar(0));
    -i32::from(
        a.white()
            && a.body() > w.avg(0)
            && b.body() <= w.avg(1)
            && body_gap_up(b, a)
            && c.black()
            && c.body() > w.avg(2)
            && c.c < a.c - a.body() * w.param(),
    ) * 100
}

/// The morning star rule, with a doji or a short middle body (the slots say which).
fn morning_star(w: &Window<'_>) -> i32 {
    let (a, b, c) = (w.bar(2), w.bar(1), w.bar(0));
    i32::from(
        a.black()
            && a.body() > w.avg(0)
            && b.body() <= w.avg(1)
            && body_gap_down(b, a)
            && c.white()
            && c.body() > w.avg(2)
            && c.c > a.c + a.body() * w.param(),
    ) * 100
}
