//! Figures render on small data as valid SVG and PNG, SVG deterministically.

use mosde::report::figures::*;

const PNG: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

fn check(fig: &impl Figure, name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let files = save(fig, dir.path(), name).unwrap();
    assert_eq!(files.len(), 2);
    let svg_text = std::fs::read_to_string(dir.path().join(format!("{name}.svg"))).unwrap();
    assert!(
        svg_text.starts_with("<svg") && svg_text.trim_end().ends_with("</svg>"),
        "{name}: not an SVG document"
    );
    assert!(svg_text.contains("<text"), "{name}: no text in the SVG");
    let png = std::fs::read(dir.path().join(format!("{name}.png"))).unwrap();
    assert_eq!(&png[..8], &PNG, "{name}: not a PNG");
    assert!(png.len() > 5000, "{name}: suspiciously small PNG");
    // Deterministic SVG: the same input gives the same bytes.
    assert_eq!(
        svg(fig).unwrap(),
        svg(fig).unwrap(),
        "{name}: SVG output differs between renders"
    );
    // No temporary files are left behind.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 2, "{name}: {left:?}");
}

fn objectives() -> Vec<String> {
    vec!["a".into(), "b".into(), "c".into()]
}

#[test]
fn every_figure_renders_on_small_data() {
    let t: Vec<f64> = (0..5).map(f64::from).collect();
    let m = |v: f64| vec![vec![v, v + 1.0, v + 2.0]; 5];
    check(
        &Trajectories {
            title: "t".into(),
            objectives: objectives(),
            bounds: vec![(0.0, 10.0); 3],
            band: "mean ± 1.645 sd".into(),
            series: vec![TrajectorySeries {
                name: "S".into(),
                color: 0,
                t: t.clone(),
                mean: m(3.0),
                lo: m(2.0),
                hi: m(4.0),
            }],
        },
        "trajectories",
    );
    let path: Vec<Vec<f64>> = (0..5).map(|k| vec![k as f64, 2.0, 3.0]).collect();
    check(
        &PhasePortraits {
            title: "p".into(),
            objectives: objectives(),
            bounds: vec![(0.0, 10.0); 3],
            series: vec![PhaseSeries {
                name: "S".into(),
                color: 1,
                paths: vec![path.clone()],
                target: Some(vec![-1.0, 2.0, 3.0]),
                equilibrium: vec![4.0, 2.0, 3.0],
            }],
        },
        "phase_portraits",
    );
    check(
        &PassageHistograms {
            title: "f".into(),
            tolerance: 0.05,
            series: vec![
                PassageSeries {
                    name: "S".into(),
                    color: 0,
                    counts: vec![0, 3, 5, 1],
                    never: 1,
                },
                PassageSeries {
                    name: "T".into(),
                    color: 1,
                    counts: vec![0, 0, 0, 0],
                    never: 9,
                },
            ],
        },
        "first_passage",
    );
    check(
        &ParetoProjections {
            title: "pf".into(),
            objectives: objectives(),
            bounds: vec![(0.0, 10.0); 3],
            minimize: vec![false, true, false],
            series: vec![ParetoSeries {
                label: "S (HV 0.1)".into(),
                color: 2,
                points: path.clone(),
            }],
        },
        "pareto_fronts",
    );
    check(
        &EigenPlot {
            title: "e".into(),
            dt: 1.0,
            series: vec![("S".into(), 0, vec![[0.5, 0.1], [0.5, -0.1], [1.2, 0.0]])],
        },
        "eigenvalues",
    );
    check(
        &Heatmaps {
            title: "h".into(),
            objectives: objectives(),
            panels: vec![(
                "S".into(),
                vec![
                    vec![1.0, -0.3, f64::NAN],
                    vec![-0.3, 1.0, 0.2],
                    vec![f64::NAN, 0.2, 1.0],
                ],
            )],
            limit: 1.0,
            scale: "correlation".into(),
            axes: ("objective".into(), "objective".into()),
            fixed_diagonal: Some("1 by definition".into()),
        },
        "heatmap",
    );
    let obs: Vec<(f64, Vec<f64>)> = (0..5)
        .map(|k| (k as f64, vec![k as f64, 1.0, 2.0]))
        .collect();
    check(
        &FitTrajectories {
            title: "fit".into(),
            objectives: objectives(),
            bounds: vec![(0.0, 10.0); 3],
            series: vec![FitSeries {
                name: "S".into(),
                color: 0,
                r2: 0.5,
                sessions: vec![(obs.clone(), obs)],
            }],
        },
        "fit_trajectories",
    );
    check(
        &PaperComparison {
            title: "c".into(),
            rows: vec![ComparisonRow {
                name: "S".into(),
                color: 0,
                rho_paper: (0.3, Some(0.1)),
                rho_ours: (0.32, Some([0.28, 0.36])),
                r2_paper: 0.6,
                r2_ours: 0.55,
            }],
        },
        "replication",
    );
}

/// A figure that cannot be written says why in words (no Debug dump of the
/// backend's error) and leaves no half image behind.
#[test]
fn a_failed_save_names_the_file_and_leaves_no_debris() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the folder should be: every write under it fails.
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, "").unwrap();
    let fig = EigenPlot {
        title: "e".into(),
        dt: 1.0,
        series: vec![("S".into(), 0, vec![[-1.0, 0.0]])],
    };
    let err = save(&fig, &blocker.join("figs"), "eigenvalues").unwrap_err();
    let text = std::error::Error::source(&err).map_or(String::new(), |s| s.to_string());
    assert!(text.contains("eigenvalues.svg"), "{text}");
    assert!(
        !text.contains("IoError") && !text.contains("Custom {"),
        "{text}"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1);
}
