//! Three-candle patterns of advancing (white soldiers, advance block, stalled) and declining
//! (three stars in the south) runs, the ones with the most candle-setting averages.

use super::candles::pattern;

pattern! {
    /// `CDL3WHITESOLDIERS`: three white candles with very short upper shadows and higher
    /// closes, each opening inside or Near the previous body, none Far shorter than the
    /// previous one, the third not short; 100.
    Cdl3WhiteSoldiers, 12,
    [
        slot(ShadowVeryShort, 2),
        slot(ShadowVeryShort, 1),
        slot(ShadowVeryShort, 0),
        slot(Near, 2),
        slot(Near, 1),
        slot(Far, 2),
        slot(Far, 1),
        slot(BodyShort, 0),
    ],
    |w| {
        let (a, b, c) = (w.bar(2), w.bar(1), w.bar(0));
        i32::from(
            a.white()
                && a.upper() < w.avg(0)
                && b.white()
                && b.upper() < w.avg(1)
                && c.white()
                && c.upper() < w.avg(2)
                && c.c > b.c
                && b.c > a.c
                && b.o > a.o
                && b.o <= a.c + w.avg(3)
                && c.o > b.o
                && c.o <= b.c + w.avg(4)
                && b.body() > a.body() - w.avg(5)
                && c.body() > b.body() - w.avg(6)
                && c.body() > w.avg(7),
        ) * 100
    },
}

pattern! {
    /// `CDLADVANCEBLOCK`: three white candles with higher closes, each opening inside or
    /// Near the previous body, the first long with a short upper shadow, the advance
    /// weakening (bodies shrinking Far, or shrinking with upper shadows not short, or the
    /// third with a long upper shadow); -100.
    CdlAdvanceBlock, 12,
    [
        slot(ShadowShort, 2),
        slot(ShadowShort, 1),
        slot(ShadowShort, 0),
        slot(ShadowLong, 1),
        slot(ShadowLong, 0),
        slot(Near, 2),
        slot(Near, 1),
        slot(Far, 2),
        slot(Far, 1),
        slot(BodyLong, 2),
    ],
    |w| {
        let (a, b, c) = (w.bar(2), w.bar(1), w.bar(0));
        let run = a.white()
            && b.white()
            && c.white()
            && c.c > b.c
            && b.c > a.c
            && b.o > a.o
            && b.o <= a.c + w.avg(5)
            && c.o > b.o
            && c.o <= b.c + w.avg(6)
            && a.body() > w.avg(9)
            && a.upper() < w.avg(0);
        let weakening = (b.body() < a.body() - w.avg(7) && c.body() < b.body() + w.avg(6))
            || c.body() < b.body() - w.avg(8)
            || (c.body() < b.body()
                && b.body() < a.body()
                && (c.upper() > w.avg(2) || b.upper() > w.avg(1)))
            || (c.body() < b.body() && c.upper() > w.avg(4));
        -i32::from(run && weakening) * 100
    },
}

pattern! {
    /// `CDLSTALLEDPATTERN`: two long white candles with higher closes (the second with a
    /// very short upper shadow, opening inside or Near the first body), then a small white
    /// riding on the second's shoulder (`open >= close2 - body3 - Near`); -100.
    CdlStalledPattern, 12,
    [
        slot(BodyLong, 2),
        slot(BodyLong, 1),
        slot(ShadowVeryShort, 1),
        slot(Near, 2),
        slot(Near, 1),
        slot(BodyShort, 0),
    ],
    |w| {
        let (a, b, c) = (w.bar(2), w.bar(1), w.bar(0));
        -i32::from(
            a.white()
                && b.white()
                && c.white()
                && c.c > b.c
                && b.c > a.c
                && a.body() > w.avg(0)
                && b.body() > w.avg(1)
                && b.upper() < w.avg(2)
                && b.o > a.o
                && b.o <= a.c + w.avg(3)
                && c.body() < w.avg(5)
                && c.o >= b.c - c.body() - w.avg(4),
        ) * 100
    },
}

pattern! {
    /// `CDL3STARSINSOUTH`: a long black with a long lower shadow, a smaller black opening
    /// inside its range and holding above its low with a lower shadow, a small black
    /// marubozu inside the second's range; 100.
    Cdl3StarsInSouth, 12,
    [
        slot(BodyLong, 2),
        slot(ShadowLong, 2),
        slot(ShadowVeryShort, 1),
        slot(ShadowVeryShort, 0),
        slot(BodyShort, 0),
    ],
    |w| {
        let (a, b, c) = (w.bar(2), w.bar(1), w.bar(0));
        i32::from(
            a.black()
                && b.black()
                && c.black()
                && a.body() > w.avg(0)
                && a.lower() > w.avg(1)
                && b.body() < a.body()
                && b.o > a.c
                && b.o <= a.h
                && b.l < a.c
                && b.l >= a.l
                && b.lower() > w.avg(2)
                && c.body() < w.avg(4)
                && c.lower() < w.avg(3)
                && c.upper() < w.avg(3)
                && c.l > b.l
                && c.h < b.h,
        ) * 100
    },
}
