//! `protect` on Windows: runs the `netsh` and PowerShell command lines built (and tested
//! on every platform) in `netsh.rs`. Nothing but spawning processes lives here.
//! Not run on a real Windows yet: see docs/CHOICES.md, "protect".

use super::netsh::{self, Cmd, RouterDiscovery};
use super::{Error, Observed, PinnedAddress, PinnedRoute, System};
use crate::report::Lang;
use std::process::Command;

/// The metric of the pinned default route: one below 256, the metric Windows gives the
/// default routes it learns from Router Advertisements.
const PIN_METRIC_WINDOWS: u32 = 255;

/// The Windows [`System`].
#[derive(Debug, Default)]
pub struct Windows;

/// Runs `argv`; its standard output, or what it said when it failed.
fn run(interface: &str, what: &str, argv: &[String]) -> Result<String, Error> {
    let fail = |detail: String| {
        // netsh says "requires elevation" when not run as administrator.
        if detail.contains("elevation") {
            Error::Permission {
                interface: interface.to_owned(),
                what: what.to_owned(),
                detail,
            }
        } else {
            Error::System {
                interface: interface.to_owned(),
                what: what.to_owned(),
                detail,
            }
        }
    };
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| fail("empty command".to_owned()))?;
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| fail(format!("cannot run {program}: {e}")))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(stdout)
    } else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let said = format!("{} {}", stdout.trim(), stderr.trim());
        Err(fail(format!("{} ({})", said.trim(), out.status)))
    }
}

fn run_cmd(interface: &str, cmd: &Cmd) -> Result<String, Error> {
    run(interface, &cmd.to_string(), &cmd.argv)
}

fn setting(interface: &str, value: &str) -> Result<RouterDiscovery, Error> {
    RouterDiscovery::parse(value).ok_or_else(|| Error::System {
        interface: interface.to_owned(),
        what: format!("setting routerdiscovery={value}"),
        detail: "not a router discovery value (enabled, disabled, dhcp)".to_owned(),
    })
}

impl Windows {
    fn query(&self, interface: &str) -> Result<(Option<RouterDiscovery>, Observed), Error> {
        let out = run(
            interface,
            "reading its IPv6 configuration with PowerShell",
            &netsh::powershell_query(interface),
        )?;
        netsh::parse_powershell(&out).map_err(|detail| Error::System {
            interface: interface.to_owned(),
            what: "reading its IPv6 configuration with PowerShell".to_owned(),
            detail,
        })
    }
}

impl System for Windows {
    fn platform(&self) -> &'static str {
        "windows"
    }

    fn setting(&self) -> &'static str {
        "routerdiscovery"
    }

    fn disabled_value(&self) -> &'static str {
        "disabled"
    }

    fn pin_metric(&self) -> u32 {
        PIN_METRIC_WINDOWS
    }

    fn setting_location(&self, interface: &str, value: &str) -> String {
        match RouterDiscovery::parse(value) {
            Some(v) => netsh::netsh_set_router_discovery(interface, v).to_string(),
            None => format!("routerdiscovery={value}"),
        }
    }

    fn pin_command(&self, interface: &str, a: &PinnedAddress) -> String {
        netsh::netsh_add_address(interface, a.address, a.prefix_len).to_string()
    }

    fn unpin_command(&self, interface: &str, a: &PinnedAddress) -> String {
        netsh::netsh_delete_address(interface, a.address).to_string()
    }

    fn add_route_command(&self, interface: &str, r: &PinnedRoute) -> String {
        netsh::netsh_add_route(interface, r.gateway, r.metric).to_string()
    }

    fn remove_route_command(&self, interface: &str, r: &PinnedRoute) -> String {
        netsh::netsh_delete_route(interface, r.gateway).to_string()
    }

    fn after_protect(&self, interface: &str, lang: Lang) -> String {
        super::text::after_protect_windows(interface, lang)
    }

    fn read_setting(&mut self, interface: &str) -> Result<String, Error> {
        let shown = run_cmd(interface, &netsh::netsh_show_interface(interface))?;
        if let Some(v) = netsh::parse_netsh_interface(&shown) {
            return Ok(v.to_string());
        }
        match self.query(interface)? {
            (Some(v), _) => Ok(v.to_string()),
            (None, _) => Err(Error::System {
                interface: interface.to_owned(),
                what: "reading the router discovery setting".to_owned(),
                detail: "neither netsh nor PowerShell showed it".to_owned(),
            }),
        }
    }

    fn observe(&mut self, interface: &str) -> Result<Observed, Error> {
        self.query(interface).map(|(_, observed)| observed)
    }

    fn check_privilege(&mut self, _interface: &str) -> Result<(), Error> {
        // netsh refuses each change without elevation ("requires elevation"); the first
        // change failing puts back nothing but the state file.
        Ok(())
    }

    fn write_setting(&mut self, interface: &str, value: &str) -> Result<(), Error> {
        let v = setting(interface, value)?;
        run_cmd(interface, &netsh::netsh_set_router_discovery(interface, v)).map(drop)
    }

    fn pin_address(&mut self, interface: &str, a: &PinnedAddress) -> Result<(), Error> {
        let cmd = netsh::netsh_add_address(interface, a.address, a.prefix_len);
        run_cmd(interface, &cmd).map(drop)
    }

    fn unpin_address(&mut self, interface: &str, a: &PinnedAddress) -> Result<(), Error> {
        run_cmd(
            interface,
            &netsh::netsh_delete_address(interface, a.address),
        )
        .map(drop)
    }

    fn add_route(&mut self, interface: &str, r: &PinnedRoute) -> Result<(), Error> {
        let cmd = netsh::netsh_add_route(interface, r.gateway, r.metric);
        run_cmd(interface, &cmd).map(drop)
    }

    fn remove_route(&mut self, interface: &str, r: &PinnedRoute) -> Result<(), Error> {
        run_cmd(interface, &netsh::netsh_delete_route(interface, r.gateway)).map(drop)
    }
}
