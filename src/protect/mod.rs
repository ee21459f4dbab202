//! `protect`: the one mitigation that stays on the terminal. Opt-in and reversible, it
//! turns off router discovery on one interface (Linux `accept_ra=0`, Windows
//! `routerdiscovery=disabled`), so no device on the segment can hand the terminal an
//! address or a default route any more; `--undo` restores the previous setting.
//!
//! # Order of work
//! [`protect`]:
//! 1. refuse if a state file exists for the interface (already protected);
//! 2. read the setting; if router discovery is already off, say so and change nothing;
//! 3. read the interface's addresses and routes, and make the [`plan`](plan::plan): if
//!    something lies in a provider prefix of the rules (the interface carries the NGN
//!    upstream), refuse unless `--keep-prefix` covers it, and then pin the addresses
//!    inside those prefixes (made static) and the default route (a static route via
//!    `--keep-router` or the single default router; several default routers are
//!    refused). Without pins, once the lifetimes the upstream's RAs gave run out, the
//!    terminal would lose its NGN address and route;
//! 4. print each change, then (unless `--dry-run`) check the privilege, write the state
//!    file, and do the changes in order — pins first, the setting last — printing each
//!    just before doing it. A failure puts back what was done and removes the state
//!    file.
//!
//! [`undo`] reads the state file, writes the previous setting back, removes the route it
//! added and gives the pinned addresses their old lifetimes back (each only if it is
//! still as `protect` left it), then deletes the state file. A step that fails stops the
//! undo and keeps the state file, so running `--undo` again finishes the job: every
//! step can be repeated.
//!
//! Everything here is platform-independent; the platform is a [`System`]
//! ([`linux::Linux`], `windows::Windows`). Nothing here is ever done automatically:
//! only the `protect` command calls it.

mod netsh;
mod plan;
mod state;
mod text;

#[cfg(target_os = "linux")]
pub mod linux;
#[cfg(windows)]
pub mod windows;

pub use netsh::{
    Cmd, RouterDiscovery, netsh_add_address, netsh_add_route, netsh_delete_address,
    netsh_delete_route, netsh_set_router_discovery, netsh_show_interface, parse_netsh_interface,
    parse_powershell, powershell_query, shell_line,
};
pub use plan::{
    Note, Observed, ObservedAddress, ObservedRoute, PIN_METRIC, Plan, Request, Subject, Upstream,
    plan, upstream,
};
pub use state::{PinnedAddress, PinnedRoute, SCHEMA, State, StateStore, file_name};

use crate::detect::Timestamp;
use crate::report::Lang;
use crate::rules::{Prefix, Rules};
use core::net::Ipv6Addr;
use std::path::PathBuf;

/// Why `protect` or `--undo` refused or failed. [`Error::message`] says it in one line,
/// naming the interface; `Display` is the English message.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A state file exists: `protect` ran before and was not undone.
    AlreadyProtected {
        /// The interface.
        interface: String,
        /// When `protect` ran.
        since: String,
        /// The state file.
        path: PathBuf,
        /// The setting's name and value now, when it is no longer what `protect` wrote
        /// (a reboot resets `accept_ra`). Boxed to keep the error small.
        reset: Option<Box<(String, String)>>,
    },
    /// `--undo` and no state file.
    NotProtected {
        /// The interface.
        interface: String,
        /// Where the state file would be.
        path: PathBuf,
    },
    /// The interface carries the provider's upstream and no `--keep-prefix` was given.
    Upstream {
        /// The interface.
        interface: String,
        /// The first thing found inside a provider prefix.
        found: Upstream,
    },
    /// Something of the upstream lies outside every `--keep-prefix`.
    NotCovered {
        /// The interface.
        interface: String,
        /// What is not covered.
        found: Upstream,
    },
    /// No address of the interface lies in `--keep-prefix`.
    NothingToKeep {
        /// The interface.
        interface: String,
        /// The prefixes given.
        prefixes: Vec<Prefix>,
    },
    /// Several default routers and no `--keep-router`.
    SeveralRouters {
        /// The interface.
        interface: String,
        /// Their addresses.
        gateways: Vec<Ipv6Addr>,
    },
    /// The interface does not exist.
    NoSuchInterface {
        /// The interface.
        interface: String,
    },
    /// Not allowed to change the interface's configuration.
    Permission {
        /// The interface.
        interface: String,
        /// What was being done.
        what: String,
        /// The system's error.
        detail: String,
    },
    /// The system refused or failed a change or a reading.
    System {
        /// The interface.
        interface: String,
        /// What was being done.
        what: String,
        /// The system's error.
        detail: String,
    },
    /// The state file cannot be read, written or removed, or makes no sense.
    State {
        /// The interface.
        interface: String,
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// `protect` failed after it had started changing things; what it had done was
    /// put back (`rollback` is `None`), or putting back failed too.
    RolledBack {
        /// The interface.
        interface: String,
        /// The failure.
        cause: Box<Error>,
        /// The failure of putting back, if any; the state file is then kept.
        rollback: Option<Box<Error>>,
        /// The state file.
        path: PathBuf,
    },
    /// `--undo` stopped at a failure; the state file is kept.
    UndoIncomplete {
        /// The interface.
        interface: String,
        /// The failure.
        cause: Box<Error>,
        /// The state file.
        path: PathBuf,
    },
}

impl Error {
    /// The message in `lang`, one line.
    pub fn message(&self, lang: Lang) -> String {
        text::error(self, lang)
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for Error {}

/// The platform: how router discovery is read and changed, and how addresses and routes
/// are read and pinned. Every change method is called only after its line was printed.
pub trait System {
    /// `linux` or `windows` (recorded in the state file).
    fn platform(&self) -> &'static str;
    /// The setting's name in the state file: `accept_ra`, `routerdiscovery`.
    fn setting(&self) -> &'static str;
    /// The value that turns router discovery off (`0`, `disabled`).
    fn disabled_value(&self) -> &'static str;
    /// The metric of the pinned default route: just below that of the routes the system
    /// learns from Router Advertisements, so it wins over them.
    fn pin_metric(&self) -> u32;
    /// Where the setting lives or the command that writes `value`, for the printed line.
    fn setting_location(&self, interface: &str, value: &str) -> String;
    /// The command line equivalent to pinning `a` (for the printed line).
    fn pin_command(&self, interface: &str, a: &PinnedAddress) -> String;
    /// The command line equivalent to unpinning `a`.
    fn unpin_command(&self, interface: &str, a: &PinnedAddress) -> String;
    /// The command line equivalent to adding `r`.
    fn add_route_command(&self, interface: &str, r: &PinnedRoute) -> String;
    /// The command line equivalent to removing `r`.
    fn remove_route_command(&self, interface: &str, r: &PinnedRoute) -> String;
    /// What to tell the user after `protect`: how long it lasts, how to clear what was
    /// learned from RAs before.
    fn after_protect(&self, interface: &str, lang: Lang) -> String;

    /// The setting's current value.
    fn read_setting(&mut self, interface: &str) -> Result<String, Error>;
    /// The interface's IPv6 addresses and routes.
    fn observe(&mut self, interface: &str) -> Result<Observed, Error>;
    /// Fails with [`Error::Permission`] when the setting cannot be changed, changing
    /// nothing.
    fn check_privilege(&mut self, interface: &str) -> Result<(), Error>;
    /// Writes the setting (`value` comes from the state file on undo: check it).
    fn write_setting(&mut self, interface: &str, value: &str) -> Result<(), Error>;
    /// Makes the address static.
    fn pin_address(&mut self, interface: &str, a: &PinnedAddress) -> Result<(), Error>;
    /// Gives the address back its recorded lifetimes (or removes the static copy).
    fn unpin_address(&mut self, interface: &str, a: &PinnedAddress) -> Result<(), Error>;
    /// Adds the static default route.
    fn add_route(&mut self, interface: &str, r: &PinnedRoute) -> Result<(), Error>;
    /// Removes the static default route; one already gone is not an error.
    fn remove_route(&mut self, interface: &str, r: &PinnedRoute) -> Result<(), Error>;
}

/// How to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Print what would change and change nothing.
    pub dry_run: bool,
    /// The language of what is printed.
    pub lang: Lang,
    /// Leave out the notes and hints (the changes are always printed).
    pub quiet: bool,
}

/// What happened, for the caller's exit code (both are success).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The changes were made (or, with `--dry-run`, printed).
    Done,
    /// Nothing needed changing.
    Nothing,
}

/// A change made, to put back if a later one fails.
enum Done {
    Address(PinnedAddress),
    Route(PinnedRoute),
    Setting(String),
}

/// Protects `req.interface` (see the module documentation). `now` is recorded in the
/// state file; every line goes to `out`.
pub fn protect(
    sys: &mut dyn System,
    store: &StateStore,
    req: &Request,
    rules: &Rules,
    opts: Options,
    now: Timestamp,
    out: &mut dyn FnMut(&str),
) -> Result<Outcome, Error> {
    let interface = req.interface.as_str();
    let lang = opts.lang;
    let path = store.path(interface);
    if let Some(state) = store.load(interface)? {
        let current = sys.read_setting(interface).ok();
        let reset = current
            .filter(|v| *v != state.written)
            .map(|v| Box::new((state.setting.clone(), v)));
        return Err(Error::AlreadyProtected {
            interface: interface.to_owned(),
            since: state.since,
            path,
            reset,
        });
    }
    let previous = sys.read_setting(interface)?;
    let disabled = sys.disabled_value();
    if previous == disabled {
        out(&text::already_off(
            sys.setting(),
            interface,
            &previous,
            lang,
        ));
        return Ok(Outcome::Nothing);
    }
    let observed = sys.observe(interface)?;
    let plan = plan::plan(req, &observed, rules, sys.pin_metric())?;
    if !opts.quiet {
        for note in &plan.notes {
            out(&text::note(note, interface, lang));
        }
    }
    let state = State {
        schema: SCHEMA.to_owned(),
        interface: interface.to_owned(),
        since: crate::report::rfc3339(now),
        platform: sys.platform().to_owned(),
        setting: sys.setting().to_owned(),
        previous: previous.clone(),
        written: disabled.to_owned(),
        pinned_addresses: plan.pin_addresses.clone(),
        pinned_route: plan.pin_route,
    };
    let setting_line = text::setting_change(
        sys.setting(),
        interface,
        &previous,
        disabled,
        &sys.setting_location(interface, disabled),
        lang,
    );
    let state_line = text::save_state(&path, lang);
    let pin_lines: Vec<String> = plan
        .pin_addresses
        .iter()
        .map(|a| text::pin(a, interface, &sys.pin_command(interface, a), lang))
        .collect();
    let route_line = plan
        .pin_route
        .map(|r| text::add_route(&r, interface, &sys.add_route_command(interface, &r), lang));
    if opts.dry_run {
        out(&state_line);
        for line in &pin_lines {
            out(line);
        }
        if let Some(line) = &route_line {
            out(line);
        }
        out(&setting_line);
        out(&text::dry_run(lang));
        return Ok(Outcome::Done);
    }
    sys.check_privilege(interface)?;
    out(&state_line);
    store.save(&state)?;
    let mut done = Vec::new();
    let result = (|| {
        for (a, line) in plan.pin_addresses.iter().zip(&pin_lines) {
            out(line);
            sys.pin_address(interface, a)?;
            done.push(Done::Address(a.clone()));
        }
        if let (Some(r), Some(line)) = (plan.pin_route, &route_line) {
            out(line);
            sys.add_route(interface, &r)?;
            done.push(Done::Route(r));
        }
        out(&setting_line);
        sys.write_setting(interface, disabled)?;
        done.push(Done::Setting(previous.clone()));
        Ok(())
    })();
    if let Err(cause) = result {
        let rollback = roll_back(sys, interface, done, out, lang)
            .and_then(|()| store.remove(interface))
            .err()
            .map(Box::new);
        return Err(Error::RolledBack {
            interface: interface.to_owned(),
            cause: Box::new(cause),
            rollback,
            path,
        });
    }
    out(&text::protected(sys.setting(), interface, lang));
    if !opts.quiet {
        out(&sys.after_protect(interface, lang));
    }
    Ok(Outcome::Done)
}

/// Puts back what was done, newest first; stops at the first failure.
fn roll_back(
    sys: &mut dyn System,
    interface: &str,
    done: Vec<Done>,
    out: &mut dyn FnMut(&str),
    lang: Lang,
) -> Result<(), Error> {
    for step in done.into_iter().rev() {
        match step {
            Done::Address(a) => {
                out(&text::unpin(
                    &a,
                    interface,
                    &sys.unpin_command(interface, &a),
                    lang,
                ));
                sys.unpin_address(interface, &a)?;
            }
            Done::Route(r) => {
                out(&text::remove_route(
                    &r,
                    interface,
                    &sys.remove_route_command(interface, &r),
                    lang,
                ));
                sys.remove_route(interface, &r)?;
            }
            Done::Setting(previous) => {
                let disabled = sys.disabled_value();
                out(&text::setting_change(
                    sys.setting(),
                    interface,
                    disabled,
                    &previous,
                    &sys.setting_location(interface, &previous),
                    lang,
                ));
                sys.write_setting(interface, &previous)?;
            }
        }
    }
    Ok(())
}

/// Undoes what `protect` did on `interface` (see the module documentation).
pub fn undo(
    sys: &mut dyn System,
    store: &StateStore,
    interface: &str,
    opts: Options,
    out: &mut dyn FnMut(&str),
) -> Result<Outcome, Error> {
    let lang = opts.lang;
    let path = store.path(interface);
    let Some(state) = store.load(interface)? else {
        return Err(Error::NotProtected {
            interface: interface.to_owned(),
            path,
        });
    };
    if state.platform != sys.platform() || state.setting != sys.setting() {
        return Err(Error::State {
            interface: interface.to_owned(),
            path,
            detail: format!(
                "it records `{}` on {}, this system has `{}` on {}",
                state.setting,
                state.platform,
                sys.setting(),
                sys.platform()
            ),
        });
    }
    let current = sys.read_setting(interface)?;
    let pins = !state.pinned_addresses.is_empty() || state.pinned_route.is_some();
    let observed = if pins {
        sys.observe(interface)?
    } else {
        Observed::default()
    };
    if !opts.dry_run {
        sys.check_privilege(interface)?;
    }
    let mut step = |line: String, action: Option<&mut dyn FnMut() -> Result<(), Error>>| {
        out(&line);
        match action {
            Some(act) if !opts.dry_run => act(),
            _ => Ok(()),
        }
    };
    let result = (|| {
        if current == state.previous {
            step(
                text::setting_unchanged(&state.setting, interface, &current, lang),
                None,
            )?;
        } else {
            let line = text::setting_change(
                &state.setting,
                interface,
                &current,
                &state.previous,
                &sys.setting_location(interface, &state.previous),
                lang,
            );
            step(
                line,
                Some(&mut || sys.write_setting(interface, &state.previous)),
            )?;
        }
        if let Some(r) = state.pinned_route {
            if observed.has_static_default(&r.gateway, r.metric) {
                let line = text::remove_route(
                    &r,
                    interface,
                    &sys.remove_route_command(interface, &r),
                    lang,
                );
                step(line, Some(&mut || sys.remove_route(interface, &r)))?;
            } else {
                step(text::route_gone(&r, interface, lang), None)?;
            }
        }
        for a in &state.pinned_addresses {
            match observed.address(&a.address) {
                Some(now) if now.permanent => {
                    let line = text::unpin(a, interface, &sys.unpin_command(interface, a), lang);
                    step(line, Some(&mut || sys.unpin_address(interface, a)))?;
                }
                Some(_) => step(text::address_not_static(a, interface, lang), None)?,
                None => step(text::address_gone(a, interface, lang), None)?,
            }
        }
        step(
            text::remove_state(&path, lang),
            Some(&mut || store.remove(interface)),
        )
    })();
    if let Err(cause) = result {
        return Err(Error::UndoIncomplete {
            interface: interface.to_owned(),
            cause: Box::new(cause),
            path,
        });
    }
    if opts.dry_run {
        out(&text::dry_run(lang));
    } else {
        out(&text::undone(
            &state.setting,
            interface,
            &state.previous,
            lang,
        ));
    }
    Ok(Outcome::Done)
}

#[cfg(test)]
mod tests;
