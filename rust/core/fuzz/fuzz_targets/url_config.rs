//! Any text as a URL, with any property pairs: parsing and validation never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use shmlite_core::config::Config;
use shmlite_core::url;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (url_part, props) = text.split_once('\n').unwrap_or((&text, ""));
    if let Ok(parsed) = url::parse(url_part) {
        let pairs = props.lines().filter_map(|l| l.split_once('='));
        let _ = Config::from_pairs(&parsed.target, parsed.properties.iter().map(|(k, v)| (k.as_str(), v.as_str())).chain(pairs));
    }
});
