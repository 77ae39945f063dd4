//! The kernel's tick rate (CONFIG_HZ), which /proc/net/ip_vs uses for persistence timeouts.
//!
//! Userspace has no clean way to ask: `sysconf(_SC_CLK_TCK)` is USER_HZ (always 100), not
//! CONFIG_HZ. The kernel's build config says it when installed; otherwise we assume 250.

use std::path::Path;

/// Debian's and many distributions' x86 default; used when the config cannot be read.
pub const DEFAULT_HZ: u32 = 250;

/// `CONFIG_HZ=N` from a kernel config text.
pub fn hz_from_config(text: &str) -> Option<u32> {
    text.lines()
        .find_map(|l| l.strip_prefix("CONFIG_HZ="))
        .and_then(|v| v.trim().parse().ok())
        .filter(|&hz| hz > 0)
}

/// CONFIG_HZ of the running kernel from `/boot/config-<release>`, else [`DEFAULT_HZ`].
pub fn kernel_hz() -> u32 {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let path = Path::new("/boot").join(format!("config-{}", release.trim()));
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| hz_from_config(&t))
        .unwrap_or(DEFAULT_HZ)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_config_hz() {
        let text =
            "CONFIG_HZ_250=y\n# CONFIG_HZ_1000 is not set\nCONFIG_HZ=250\nCONFIG_HZ_PERIODIC=n\n";
        assert_eq!(hz_from_config(text), Some(250));
        assert_eq!(hz_from_config("CONFIG_HZ=1000\n"), Some(1000));
        assert_eq!(hz_from_config("CONFIG_HZ=0\n"), None);
        assert_eq!(hz_from_config("CONFIG_HZ_1000=y\n"), None);
    }
}
