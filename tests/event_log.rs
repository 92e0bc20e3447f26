//! Every line of the event log reads as a sentence: no protocol note falls back to raw data.

use quorumscope::fuzz::{FuzzOptions, inject_faults};
use quorumscope::protocols;
use quorumscope::scenario::Scenario;
use quorumscope::sim::SEC;

#[test]
fn every_trace_line_of_every_protocol_reads_as_a_sentence() {
    for info in protocols::list() {
        let mut scenario = Scenario::defaults(info.name);
        scenario.seed = 3;
        scenario.client_rate = 20;
        let mut lab = protocols::create(&scenario).unwrap();
        let opts = FuzzOptions {
            until: 8 * SEC,
            faults_until: 6 * SEC,
            fault_gap: 150_000,
            ..FuzzOptions::default()
        };
        inject_faults(&mut *lab, 3, &opts);
        lab.advance_to(opts.until);
        let mut kinds = std::collections::BTreeSet::new();
        for i in 0..lab.trace_len() {
            let line = lab.trace_line(i);
            kinds.insert(line.kind);
            assert!(
                line.text.starts_with(char::is_uppercase)
                    && !line.text.contains('"')
                    && line.text.split_whitespace().count() >= 3,
                "{}: a {} line does not read as a sentence: {}",
                info.name,
                line.kind.as_str(),
                line.text
            );
        }
        assert!(kinds.len() >= 8, "{}: only {kinds:?}", info.name);
    }
}
