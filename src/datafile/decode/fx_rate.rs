//! An `[[fx_rate]]` table: how many US dollars one unit of a currency bought on a date, and
//! the source that says so. Whether the source exists is checked in `assemble`, which sees
//! every file.

use super::{Decoder, Fields, Located};
use crate::datafile::tree::NodeKind;
use crate::model::FxRate;
use crate::rules;

/// The fields of an `[[fx_rate]]` table.
pub(crate) const FX_RATE: &[&str] = &["currency", "date", "rate", "source"];

impl Decoder<'_> {
    /// An exchange rate, or nothing when a field is wrong (each problem reported).
    pub(super) fn fx_rate(&mut self, mut f: Fields<'_>) -> Option<Located<FxRate>> {
        let what = "fx_rate";
        let currency = self
            .required_text(&mut f, "currency", what)
            .and_then(|code| match rules::fx_rate_currency(&code) {
                Some(broken) => {
                    let span = self
                        .take(&mut f, "currency")
                        .expect("read above")
                        .span
                        .clone();
                    self.broken(broken, span);
                    None
                }
                None => Some(code),
            });
        let date = self
            .required(&mut f, "date", what, |me, f| me.date(f, "date"))
            .map(|(d, _)| d);
        let rate = self.required(&mut f, "rate", what, |me, f| {
            let node = me.take(f, "rate")?;
            let x = match node.kind {
                NodeKind::Float(x) => x,
                NodeKind::Int(i) => i as f64,
                _ => {
                    me.wrong_type("rate", node, rules::FINITE_NUMBER);
                    return None;
                }
            };
            match rules::fx_rate_value(x) {
                Some(broken) => {
                    me.broken(broken, node.span.clone());
                    None
                }
                None => Some(x),
            }
        });
        let source = self.required_text(&mut f, "source", what);
        let record = match (currency, date, rate, source) {
            (Some(currency), Some(date), Some(rate), Some(source)) => Some(FxRate {
                currency,
                date,
                rate,
                source,
            }),
            _ => None,
        };
        self.finish(f, FX_RATE, "an fx_rate", record)
    }
}
