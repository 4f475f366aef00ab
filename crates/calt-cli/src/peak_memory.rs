//! The process's peak resident memory, for the reports of `calt train` and `calt bench`.

/// Peak resident set size in bytes (Linux's `VmHWM`); `None` where the system does not say.
pub fn peak_resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_vm_hwm(&status)
}

/// Reads the `VmHWM:   123456 kB` line of a `/proc/<pid>/status` text.
fn parse_vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line["VmHWM:".len()..]
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// `"335.0 MB"`, or `"unknown"`.
pub fn describe_peak_memory() -> String {
    match peak_resident_bytes() {
        Some(b) => format!("{:.1} MB", b as f64 / 1e6),
        None => "unknown".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_high_water_mark_line() {
        let status = "Name:\tcalt\nVmPeak:\t  900 kB\nVmHWM:\t  334968 kB\nVmRSS:\t 1000 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(334_968 * 1024));
        assert_eq!(parse_vm_hwm("VmHWM: lots\n"), None);
        assert_eq!(parse_vm_hwm("Name: calt\n"), None);
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn this_process_has_a_peak() {
        assert!(peak_resident_bytes().is_some_and(|b| b > 0));
    }
}
