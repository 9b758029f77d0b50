//! `nfc bench`: run a benchmark configuration as Click's were measured.
//!
//! A benchmark configuration generates its traffic in memory (an
//! InfiniteSource with a LIMIT and `STOP true`) and ends with a
//! DriverManager that prints one line
//! `RESULT <counter> <packets> ... elapsed <seconds>` (see
//! `configs/bench/`). `nfc bench` compiles it for linux, runs it several
//! times and reports the median packet rate; with `--callgrind` it also
//! counts instructions per packet the way `../shared/bench/README.md`
//! describes: valgrind's callgrind on two runs with different packet
//! counts, the difference divided by the difference in packets, which is
//! repeatable on a shared machine where time is not.

use std::path::Path;
use std::process::Command;

/// One timed run: packets through the first counter, and seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Run {
    /// Packets counted by the first counter of the RESULT line.
    pub packets: u64,
    /// Packets counted by its second counter, if it names one: what made
    /// it through (a benchmark whose packets are all dropped early shows
    /// it here).
    pub out: Option<u64>,
    /// Elapsed seconds, as the configuration measured them.
    pub seconds: f64,
}

impl Run {
    /// Millions of packets per second.
    pub fn mpps(&self) -> f64 {
        self.packets as f64 / self.seconds / 1e6
    }

    /// Nanoseconds per packet.
    pub fn ns_per_packet(&self) -> f64 {
        self.seconds * 1e9 / self.packets as f64
    }
}

/// Finds the `RESULT` line in a run's output and reads it.
pub fn parse_result(output: &str) -> Option<Run> {
    let line = output.lines().find(|l| l.starts_with("RESULT "))?;
    let words: Vec<&str> = line.split_whitespace().collect();
    let packets = words.get(2)?.parse().ok()?;
    let at = words.iter().position(|w| *w == "elapsed")?;
    let seconds: f64 = words.get(at + 1)?.parse().ok()?;
    let out = (at > 4).then(|| words[4].parse().ok()).flatten();
    (seconds > 0.0 && packets > 0).then_some(Run {
        packets,
        out,
        seconds,
    })
}

/// Runs `program` once with `args`; returns its standard output and error.
fn output_of(program: &Path, args: &[String]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("nfc: cannot run {}: {e}\n", program.display()))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if !out.status.success() {
        return Err(format!("nfc: {} failed:\n{text}", program.display()));
    }
    Ok(text)
}

/// Runs the compiled benchmark `program` `runs` times with arguments
/// `args` (`--write src.limit=N`).
pub fn time_runs(program: &Path, runs: usize, args: &[String]) -> Result<Vec<Run>, String> {
    (0..runs)
        .map(|_| {
            let text = output_of(program, args)?;
            parse_result(&text).ok_or_else(|| {
                format!("nfc: the benchmark printed no `RESULT <counter> <packets> ... elapsed <seconds>` line:\n{text}")
            })
        })
        .collect()
}

/// The median of the runs' rates.
pub fn median(runs: &[Run]) -> Option<Run> {
    let mut v = runs.to_vec();
    v.sort_by(|a, b| a.mpps().total_cmp(&b.mpps()));
    v.get(v.len() / 2).copied()
}

/// Instructions per packet: callgrind runs of `program` with the source's
/// limit set to `low` and `high` packets (`--write SOURCE.limit=N`).
pub fn instructions_per_packet(
    program: &Path,
    source: &str,
    low: u64,
    high: u64,
) -> Result<f64, String> {
    let count = |limit: u64| -> Result<u64, String> {
        let out = Command::new("valgrind")
            .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
            .arg(program)
            .arg("--write")
            .arg(format!("{source}.limit={limit}"))
            .output()
            .map_err(|e| format!("nfc: cannot run valgrind: {e} (Debian package: valgrind)\n"))?;
        let err = String::from_utf8_lossy(&out.stderr);
        err.lines()
            .find_map(|l| {
                let (_, n) = l.split_once("Collected :")?;
                n.trim().parse().ok()
            })
            .ok_or_else(|| format!("nfc: callgrind reported no instruction count:\n{err}"))
    };
    let (a, b) = (count(low)?, count(high)?);
    Ok((b as f64 - a as f64) / (high - low) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_result_line() {
        let out = "nfc: ready fw 0 nics\nRESULT cin 300000 out 300000 elapsed 0.0125\nnfc: stopped elements\n";
        let r = parse_result(out).unwrap();
        assert_eq!(r.packets, 300000);
        assert_eq!(r.out, Some(300000));
        assert!((r.mpps() - 24.0).abs() < 1e-9);
        assert!((r.ns_per_packet() - 41.666).abs() < 0.01);
        assert!(parse_result("RESULT cin x elapsed 1").is_none());
        assert!(parse_result("RESULT cin 5 out 5").is_none());
        assert!(parse_result("nothing").is_none());
    }

    #[test]
    fn median_of_rates() {
        let r = |p, s| Run {
            packets: p,
            out: None,
            seconds: s,
        };
        let m = median(&[r(10, 1.0), r(30, 1.0), r(20, 1.0)]).unwrap();
        assert_eq!(m.packets, 20);
        assert!(median(&[]).is_none());
    }
}
