//! Same inputs and seed ⇒ the same bytes, whatever the threads or chunks;
//! shards merged give the bytes of one run.

use mosde::engine::cpu::CpuEngine;
use mosde::engine::{Engine, Integration, Job, JobOptions, JobOutput, SaveAt, Scenario};
use mosde::model::Model;

fn bytes(threads: usize, chunk: usize, seed: u64) -> (Vec<u8>, Vec<u8>) {
    let m = Model::preset("code-generation").unwrap();
    let scenarios = Scenario::defaults(&m);
    let job = Job::new(
        &scenarios,
        &JobOptions {
            integration: Integration {
                paths: 5000,
                seed,
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .unwrap();
    let mut e = CpuEngine::new(threads).unwrap().with_chunk(chunk);
    let out = e.run(&job, &mut |_| {}).unwrap();
    let r = crate::common::reduction(&scenarios, &job, &out, e.info());
    (
        mosde::report::json_bytes(&r.report),
        mosde::report::moments_csv(&r),
    )
}

#[test]
fn identical_bytes_for_any_thread_count_and_chunk_size() {
    let a = bytes(1, 1, 3);
    // The standard errors are part of the bytes compared, and defined.
    let text = String::from_utf8(a.0.clone()).unwrap();
    assert!(text.contains("\"terminal_mean_se\": [") && text.contains("\"hypervolume_se\": 0."));
    for (threads, chunk) in [(2, 1), (2, 7), (3, 256), (1, 1000)] {
        let b = bytes(threads, chunk, 3);
        assert!(
            a.0 == b.0,
            "summary.json differs with {threads} threads, chunk {chunk}"
        );
        assert!(
            a.1 == b.1,
            "moments.csv differs with {threads} threads, chunk {chunk}"
        );
    }
    assert!(
        bytes(2, 16, 4).0 != a.0,
        "a different seed must change the results"
    );
}

#[test]
fn shards_merge_into_the_bytes_of_one_run() {
    let m = Model::preset("code-generation").unwrap();
    let scenarios = Scenario::defaults(&m);
    let opts = JobOptions {
        save: SaveAt {
            keep_terminal: 3000,
            record_paths: 2,
            ..Default::default()
        },
        ..JobOptions::paths(9000)
    };
    let job = Job::new(&scenarios, &opts).unwrap();
    let mut e = CpuEngine::new(2).unwrap();
    let whole = e.run(&job, &mut |_| {}).unwrap();
    for count in [2u64, 3, 5] {
        let mut merged: Option<JobOutput> = None;
        for i in 0..count {
            let mut shard = job.clone();
            shard.shard(mosde::shard::Shard::new(i, count).unwrap());
            let out = e.run(&shard, &mut |_| {}).unwrap();
            merged = Some(match merged {
                None => out,
                Some(mut acc) => {
                    for (a, b) in acc.sets.iter_mut().zip(out.sets) {
                        a.extend(b);
                    }
                    acc
                }
            });
        }
        let merged = merged.unwrap();
        assert_eq!(merged, whole, "{count} shards");
        let a = crate::common::report(&scenarios, &job, &whole, e.info());
        let b = crate::common::report(&scenarios, &job, &merged, e.info());
        assert!(mosde::report::json_bytes(&a) == mosde::report::json_bytes(&b));
    }
}
