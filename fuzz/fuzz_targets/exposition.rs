//! Fuzz target: arbitrary bytes through `tidegauge::metrics::exposition::parse`, in both
//! formats, checking what must hold for any input (the module doc's guarantees):
//!
//! * no panic;
//! * every diagnostic is on a line of the input (1 ..= number of `\n` + 1; the "line" after
//!   a final `\n` is where a missing `# EOF` is reported), and diagnostics are sorted by line;
//! * `sample_count()` equals the sum of the families' sample counts and what `samples()`
//!   yields; every sample is on a line of the input and no line holds two samples;
//! * a sample's name is its family's name plus its suffix; `family(name)` finds each family;
//!   label names are non-empty, unique within a sample and never `__name__`;
//! * no sample line is dropped without an error, and a line with a syntax error holds no
//!   sample.
//!
//! Run (from the repository root; see fixtures/expositions/README.md):
//! `mkdir -p fuzz/corpus/exposition && cp fixtures/expositions/*.prom fixtures/expositions/*.om fuzz/corpus/exposition/`
//! then `cargo +nightly fuzz run exposition -- -max_total_time=600`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;
use tidegauge::metrics::exposition::{self, Exposition, Format, Rule, Severity};

/// Rules that, as errors, reject the line they are on: such a line yields no sample.
const SYNTAX: &[Rule] = &[
    Rule::MetricName,
    Rule::LabelName,
    Rule::LabelSyntax,
    Rule::UnterminatedLabelValue,
    Rule::Escape,
    Rule::Utf8,
    Rule::DuplicateLabel,
    Rule::ReservedLabel,
    Rule::Value,
    Rule::Timestamp,
    Rule::TrailingText,
    Rule::Whitespace,
];

fn check(input: &[u8], format: Format, parsed: &Exposition<'_>) {
    let lines = input.iter().filter(|&&b| b == b'\n').count() + 1;
    let on_a_line = |line: u32| line >= 1 && (line as usize) <= lines;

    for d in &parsed.diagnostics {
        assert!(
            on_a_line(d.line),
            "{format}: diagnostic off the input ({lines} lines): {d:?}"
        );
    }
    assert!(
        parsed.diagnostics.is_sorted_by_key(|d| d.line),
        "{format}: diagnostics not sorted by line"
    );

    let sum: usize = parsed.families.iter().map(|f| f.samples.len()).sum();
    assert_eq!(parsed.sample_count(), sum, "{format}: sample_count()");
    assert_eq!(parsed.samples().count(), sum, "{format}: samples()");

    let mut sample_lines = HashSet::new();
    for (index, family) in parsed.families.iter().enumerate() {
        assert!(
            parsed
                .family(family.name)
                .is_some_and(|f| std::ptr::eq(f, &parsed.families[index])),
            "{format}: family({:?}) does not find family {index}",
            family.name
        );
        for sample in &family.samples {
            assert!(
                on_a_line(sample.line),
                "{format}: sample off the input: {sample:?}"
            );
            assert!(
                sample_lines.insert(sample.line),
                "{format}: two samples on line {}",
                sample.line
            );
            assert!(
                sample.name.strip_prefix(family.name) == Some(sample.suffix.as_str()),
                "{format}: sample {:?} in family {:?} with suffix {:?}",
                sample.name,
                family.name,
                sample.suffix
            );
            let mut names = HashSet::new();
            for label in &sample.labels {
                assert!(
                    !label.name.is_empty() && label.name != "__name__",
                    "{format}: label {label:?}"
                );
                assert!(
                    names.insert(label.name),
                    "{format}: label {:?} twice",
                    label.name
                );
            }
        }
    }

    let errors: HashSet<u32> = parsed.errors().map(|d| d.line).collect();
    for d in &parsed.diagnostics {
        // (A HELP text that is not UTF-8 is only a warning in Prometheus text, on a `#` line.)
        if SYNTAX.contains(&d.rule) && d.severity == Severity::Error {
            assert!(
                !sample_lines.contains(&d.line),
                "{format}: a sample kept on a rejected line: {d:?}"
            );
        }
    }
    // One diagnostic stands for everything after a misplaced `# EOF`.
    let after_eof = parsed
        .diagnostics
        .iter()
        .find(|d| d.rule == Rule::AfterEof)
        .map_or(u32::MAX, |d| d.line);
    for (index, line) in input.split(|&b| b == b'\n').enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let first = line.iter().find(|&&b| b != b' ' && b != b'\t');
        if first.is_none() || first == Some(&b'#') || number >= after_eof {
            continue;
        }
        assert!(
            sample_lines.contains(&number) || errors.contains(&number),
            "{format}: line {number} is neither a sample nor reported"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    for format in [Format::Prometheus, Format::OpenMetrics] {
        let parsed = exposition::parse(data, format);
        check(data, format, &parsed);
    }
    let _ = Format::detect(data);
});
