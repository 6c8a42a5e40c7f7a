//! Money in any currency: ISO 4217 codes (from the `iso_currency` crate's published table), the
//! exchange rates a data file gives (`[[fx_rate]]`), the one rule for which rate converts an
//! amount to US dollars, and how an amount is written for people (`≈ $12.5B`, `€1.3B`).
//!
//! **Invariant:** no rate is built in. A US-dollar value is the amount itself when the
//! currency is USD, or the amount times a rate the graph holds; otherwise there is none.

use std::sync::OnceLock;

use iso_currency::{Currency, IntoEnumIterator};
use serde::Serialize;

use super::Date;

/// The currency of an amount whose tie names none.
pub const DEFAULT_CURRENCY: &str = "USD";

/// An exchange rate: how many US dollars one unit of `currency` bought on `date`, as `source`
/// (a source id) reports it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FxRate {
    pub currency: String,
    pub date: Date,
    pub rate: f64,
    pub source: String,
}

/// Whether `code` is an ISO 4217 alphabetic code, written in capitals.
pub fn is_currency(code: &str) -> bool {
    Currency::from_code(code).is_some()
}

/// Every ISO 4217 alphabetic code, for suggestions.
pub fn currency_codes() -> &'static [&'static str] {
    static CODES: OnceLock<Vec<&'static str>> = OnceLock::new();
    CODES.get_or_init(|| Currency::iter().map(|c| c.code()).collect())
}

/// The rate that converts an amount in `currency` dated `date`: the latest rate on or before
/// that date; when there is none, the earliest after it; for an undated amount, the latest
/// rate. Rates dated alike are told apart by their order in `rates`, the first winning.
pub fn pick_rate<'r>(
    rates: &'r [FxRate],
    currency: &str,
    date: Option<Date>,
) -> Option<&'r FxRate> {
    let mut of: Vec<&FxRate> = rates.iter().filter(|r| r.currency == currency).collect();
    of.sort_by_key(|r| r.date);
    match date {
        None => of.last().copied(),
        Some(date) => of
            .iter()
            .rev()
            .find(|r| r.date <= date)
            .or_else(|| of.iter().find(|r| r.date > date))
            .copied(),
    }
}

/// An amount in US dollars, rounded to the dollar: the amount itself in USD, else converted at
/// `pick_rate`'s rate; `None` when the graph has no rate for the currency.
pub fn usd_value<'r>(
    amount: f64,
    currency: &str,
    date: Option<Date>,
    rates: &'r [FxRate],
) -> Option<(f64, Option<&'r FxRate>)> {
    if currency == DEFAULT_CURRENCY {
        return Some((amount, None));
    }
    pick_rate(rates, currency, date).map(|r| ((amount * r.rate).round(), Some(r)))
}

/// How an amount is written before its number: `$` for US dollars, a currency's own sign when
/// it is one of the Unicode currency signs (U+20A0–U+20CF: `€`, `₹`, `₽`) that no other
/// currency shares, else the code and a space (`GBP `, `JPY `), since `£`, `¥` and `kr` each
/// name several currencies.
pub fn currency_prefix(code: &str) -> String {
    if code == DEFAULT_CURRENCY {
        return "$".to_owned();
    }
    static SIGNS: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();
    let signs = SIGNS.get_or_init(|| {
        let all: Vec<(&'static str, String)> = Currency::iter()
            .map(|c| (c.code(), c.symbol().symbol))
            .collect();
        all.iter()
            .filter(|(_, sign)| {
                let mut chars = sign.chars();
                matches!((chars.next(), chars.next()), (Some(c), None) if ('\u{20A0}'..='\u{20CF}').contains(&c))
                    && all.iter().filter(|(_, s)| s == sign).count() == 1
            })
            .cloned()
            .collect()
    });
    match signs.iter().find(|(c, _)| *c == code) {
        Some((_, sign)) => sign.clone(),
        None => format!("{code} "),
    }
}

/// The sign written before an amount of a qualifier: `≤` for `up-to`, `≥` for `at-least`, `≈`
/// for `about`, nothing for `exact`.
pub fn qualifier_sign(qualifier: Option<&str>) -> &'static str {
    match qualifier {
        Some("up-to") => "≤ ",
        Some("at-least") => "≥ ",
        Some("about") => "≈ ",
        _ => "",
    }
}

/// `≤ $100B`, `≈ €1.3B`, `JPY 500B`: an amount with its qualifier and currency.
pub fn human_amount(amount: f64, currency: &str, qualifier: Option<&str>) -> String {
    let number = super::human_money(amount);
    let number = number.trim_start_matches('$');
    format!(
        "{}{}{number}",
        qualifier_sign(qualifier),
        currency_prefix(currency)
    )
}

/// A tie's amount as people read it, from its properties (`get` reads one): the amount in its
/// own currency when it is not USD (`≈ €1.3B`), else the US-dollar value (`≤ $100B`), with its
/// qualifier; `None` when it has no amount.
pub fn tie_amount(get: &dyn Fn(&str) -> Option<super::Value>) -> Option<String> {
    let number = |key: &str| get(key).and_then(|v| v.as_f64());
    let qualifier = get("amount_qualifier");
    let qualifier = qualifier.as_ref().and_then(|q| q.as_str());
    let currency = get("currency");
    let currency = currency
        .as_ref()
        .and_then(|c| c.as_str())
        .unwrap_or(DEFAULT_CURRENCY);
    match (number("amount"), number("amount_usd")) {
        (Some(amount), _) if currency != DEFAULT_CURRENCY => {
            Some(human_amount(amount, currency, qualifier))
        }
        (_, Some(usd)) | (Some(usd), None) => Some(human_amount(usd, DEFAULT_CURRENCY, qualifier)),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(currency: &str, date: &str, rate: f64) -> FxRate {
        FxRate {
            currency: currency.to_owned(),
            date: date.parse().unwrap(),
            rate,
            source: "s".to_owned(),
        }
    }

    #[test]
    fn codes_come_from_the_iso_table() {
        assert!(is_currency("EUR") && is_currency("JPY") && is_currency("USD"));
        assert!(!is_currency("EUD") && !is_currency("eur") && !is_currency("XYZ"));
        assert!(currency_codes().len() > 150, "{}", currency_codes().len());
    }

    #[test]
    fn the_rate_on_or_before_the_date_else_the_nearest_after() {
        let rates = [
            rate("EUR", "2024-01-01", 1.1),
            rate("EUR", "2025-01-01", 1.04),
            rate("GBP", "2024-06-01", 1.27),
        ];
        let on = |d: &str| pick_rate(&rates, "EUR", Some(d.parse().unwrap())).map(|r| r.rate);
        assert_eq!(on("2024-07-15"), Some(1.1));
        assert_eq!(on("2025-01-01"), Some(1.04));
        assert_eq!(
            on("2023-05-01"),
            Some(1.1),
            "none before: the earliest after"
        );
        assert_eq!(pick_rate(&rates, "EUR", None).map(|r| r.rate), Some(1.04));
        assert!(pick_rate(&rates, "JPY", None).is_none());
        assert_eq!(
            usd_value(2e9, "EUR", None, &rates).map(|v| v.0),
            Some(2.08e9)
        );
        assert_eq!(usd_value(2e9, "USD", None, &[]).map(|v| v.0), Some(2e9));
        assert_eq!(usd_value(2e9, "JPY", None, &rates), None);
    }

    #[test]
    fn amounts_show_their_qualifier_and_currency() {
        assert_eq!(human_amount(100e9, "USD", Some("up-to")), "≤ $100B");
        assert_eq!(human_amount(12.5e9, "USD", Some("about")), "≈ $12.5B");
        assert_eq!(human_amount(1.3e9, "EUR", None), "€1.3B");
        assert_eq!(human_amount(2e9, "GBP", Some("at-least")), "≥ GBP 2B");
        assert_eq!(human_amount(500e9, "JPY", None), "JPY 500B");
        assert_eq!(human_amount(5e9, "INR", None), "₹5B");
    }
}
