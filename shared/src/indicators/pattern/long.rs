//! Four- and five-candle patterns: `w.bar(4)` (or `w.bar(3)`) is the first candle.

use super::candles::{body_gap_down, body_gap_up, pattern};

pattern! {
    /// `CDLBREAKAWAY`: a long candle, a second of its color gapping away, a third and fourth
    /// extending the move (the fourth of the same color), a fifth of the other color closing
    /// inside the gap; ±100 by the fifth's color.
    CdlBreakaway, 14, [slot(BodyLong, 4)],
    |w| {
        let (a, b, c, d, e) = (w.bar(4), w.bar(3), w.bar(2), w.bar(1), w.bar(0));
        let colors = a.color() == b.color() && b.color() == d.color() && d.color() == -e.color();
        let down = a.black()
            && body_gap_down(b, a)
            && c.h < b.h
            && c.l < b.l
            && d.h < c.h
            && d.l < c.l
            && e.c > b.o
            && e.c < a.c;
        let up = a.white()
            && body_gap_up(b, a)
            && c.h > b.h
            && c.l > b.l
            && d.h > c.h
            && d.l > c.l
            && e.c < b.o
            && e.c > a.c;
        i32::from(colors && a.body() > w.avg(0) && (down || up)) * e.color() * 100
    },
}

pattern! {
    /// `CDLMATHOLD`: a long white, a short black gapping up, two short falling candles
    /// holding inside the first body (above `close1 - body1 * penetration`), a white
    /// opening above the fourth close and closing above the three highs; 100.
    CdlMatHold(penetration), 14,
    [slot(BodyLong, 4), slot(BodyShort, 3), slot(BodyShort, 2), slot(BodyShort, 1)],
    |w| {
        let (a, b, c, d, e) = (w.bar(4), w.bar(3), w.bar(2), w.bar(1), w.bar(0));
        let floor = a.c - a.body() * w.param();
        i32::from(
            a.white()
                && b.black()
                && e.white()
                && body_gap_up(b, a)
                && c.bottom() < a.c
                && d.bottom() < a.c
                && c.bottom() > floor
                && d.bottom() > floor
                && c.top() < b.o
                && d.top() < c.top()
                && e.o > d.c
                && e.c > b.h.max(c.h).max(d.h)
                && a.body() > w.avg(0)
                && b.body() < w.avg(1)
                && c.body() < w.avg(2)
                && d.body() < w.avg(3),
        ) * 100
    },
}

pattern! {
    /// `CDLRISEFALL3METHODS`: a long candle, three short ones of the other color moving
    /// against it inside its range, a long fifth of the first's color opening beyond the
    /// fourth close and closing beyond the first; ±100 by the first's color.
    CdlRiseFall3Methods, 14,
    [
        slot(BodyLong, 4),
        slot(BodyShort, 3),
        slot(BodyShort, 2),
        slot(BodyShort, 1),
        slot(BodyLong, 0),
    ],
    |w| {
        let (a, b, c, d, e) = (w.bar(4), w.bar(3), w.bar(2), w.bar(1), w.bar(0));
        // TA-Lib multiplies by the first candle's color (±1, exact) to test both directions.
        let s = f64::from(a.color());
        i32::from(
            a.color() == -b.color()
                && b.color() == c.color()
                && c.color() == d.color()
                && d.color() == -e.color()
                && b.bottom() < a.h
                && b.top() > a.l
                && c.bottom() < a.h
                && c.top() > a.l
                && d.bottom() < a.h
                && d.top() > a.l
                && c.c * s < b.c * s
                && d.c * s < c.c * s
                && e.o * s > d.c * s
                && e.c * s > a.c * s
                && a.body() > w.avg(0)
                && b.body() < w.avg(1)
                && c.body() < w.avg(2)
                && d.body() < w.avg(3)
                && e.body() > w.avg(4),
        ) * a.color()
            * 100
    },
}

pattern! {
    /// `CDLCONCEALBABYSWALL`: two black marubozu, a black candle gapping down with an upper
    /// shadow reaching into the second body, a black candle engulfing it shadows included;
    /// 100.
    CdlConcealBabySwall, 13,
    [slot(ShadowVeryShort, 3), slot(ShadowVeryShort, 2), slot(ShadowVeryShort, 1)],
    |w| {
        let (a, b, c, d) = (w.bar(3), w.bar(2), w.bar(1), w.bar(0));
        i32::from(
            a.black()
                && b.black()
                && c.black()
                && d.black()
                && a.lower() < w.avg(0)
                && a.upper() < w.avg(0)
                && b.lower() < w.avg(1)
                && b.upper() < w.avg(1)
                && body_gap_down(c, b)
                && c.upper() > w.avg(2)
                && c.h > b.c
                && d.h > c.h
                && d.l < c.l,
        ) * 100
    },
}

pattern! {
    /// `CDLLADDERBOTTOM`: three black candles with lower opens and closes, a black fourth
    /// with an upper shadow not very short, a white fifth opening above the fourth's open
    /// and closing above its high; 100.
    CdlLadderBottom, 14, [slot(ShadowVeryShort, 1)],
    |w| {
        let (a, b, c, d, e) = (w.bar(4), w.bar(3), w.bar(2), w.bar(1), w.bar(0));
        i32::from(
            a.black()
                && b.black()
                && c.black()
                && a.o > b.o
                && b.o > c.o
                && a.c > b.c
                && b.c > c.c
                && d.black()
                && d.upper() > w.avg(0)
                && e.white()
                && e.o > d.o
                && e.c > d.h,
        ) * 100
    },
}
