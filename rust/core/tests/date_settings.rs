//! The contract `DateCodec.fromSettings` (Java) relies on instead of validating a second time:
//! whatever spelling the application wrote, a session reports the date settings under their
//! canonical names, `date_class`/`date_precision` in upper case, and bad values never get that far.

use shmlite_core::Session;

fn reported(url: &str) -> Vec<(String, String)> {
    let s = Session::open(url, &[]).unwrap();
    s.config()
        .settings()
        .into_iter()
        .filter(|(k, _)| k.starts_with("date_"))
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

#[test]
fn date_settings_are_reported_in_canonical_spelling() {
    let got = reported(
        "jdbc:shmlite:mem:?date_class=text&date_precision=seconds&date_string_format=yyyy-MM-dd",
    );
    let want = [
        ("date_class", "TEXT"),
        ("date_precision", "SECONDS"),
        ("date_string_format", "yyyy-MM-dd"),
    ];
    assert_eq!(
        got,
        want.map(|(k, v)| (k.to_owned(), v.to_owned())).to_vec()
    );
    for class in ["integer", "Real", "TEXT"] {
        let got = reported(&format!("jdbc:shmlite:mem:?date_class={class}"));
        assert_eq!(got[0].1, class.to_uppercase(), "{class}");
    }
}

#[test]
fn bad_date_settings_fail_at_open_not_in_java() {
    for bad in [
        "date_class=DATE",
        "date_precision=MICROSECONDS",
        "date_string_format=",
    ] {
        let err = Session::open(&format!("jdbc:shmlite:mem:?{bad}"), &[]).unwrap_err();
        assert_eq!(err.jdbc().sql_state, "08001", "{bad}: {err}");
    }
}
