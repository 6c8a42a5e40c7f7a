//! How amounts of money and lengths of time are written for people: one place, read by the
//! query results, the reports, the diagrams and every front end.

/// `$8.9B`, `$350M`, `$30K`, `$950`.
pub fn human_money(amount: f64) -> String {
    let (scaled, suffix) = match amount.abs() {
        a if a >= 1e12 => (amount / 1e12, "T"),
        a if a >= 1e9 => (amount / 1e9, "B"),
        a if a >= 1e6 => (amount / 1e6, "M"),
        a if a >= 1e3 => (amount / 1e3, "K"),
        _ => (amount, ""),
    };
    let text = format!("{scaled:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("${text}{suffix}")
}

/// `0.8 ms`, `12 ms`, `1.42 s`.
pub fn human_duration(elapsed: std::time::Duration) -> String {
    let ms = elapsed.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1e3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_time_read_as_people_write_them() {
        assert_eq!(human_money(8.9e9), "$8.9B");
        assert_eq!(human_money(350e6), "$350M");
        assert_eq!(human_money(950.0), "$950");
        assert_eq!(
            human_duration(std::time::Duration::from_micros(800)),
            "0.8 ms"
        );
        assert_eq!(
            human_duration(std::time::Duration::from_millis(1420)),
            "1.42 s"
        );
    }
}
