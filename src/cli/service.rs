//! `v6sentinel service install | uninstall | run`: `watch` as a Windows service.
//!
//! - `install` creates the service `v6sentinel` (automatic start, LocalSystem, restarted
//!   after a crash), registers the Event Log source `v6sentinel` (and any other source
//!   the configuration's `eventlog` sinks name), creates `%ProgramData%\v6sentinel\` and
//!   writes an example configuration there when there is none. It does not start the
//!   service: the example must be checked first.
//! - `uninstall` stops the service if it runs, deletes it and the sources' registration,
//!   and leaves the configuration and the spool where they are.
//! - `run` (hidden) is the command line the service manager starts: it connects to the
//!   service manager's dispatcher, reports StartPending → Running → StopPending →
//!   Stopped, and runs [`watch::run_with`] with the service manager's controls: Stop and
//!   Shutdown flush the sinks and exit as SIGTERM does, ParamChange
//!   (`sc control v6sentinel paramchange`) reloads as SIGHUP does. The exit code is
//!   `watch`'s (78 for a bad configuration), reported as the service-specific exit code.
//!
//! The service's own events (started, stopped, could not start and why) go to the Event
//! Log under the source `v6sentinel`, whatever sinks are configured; its standard error
//! goes to `%ProgramData%\v6sentinel\v6sentinel.log`.
//!
//! Elsewhere `service` says it exists on Windows only and exits 3.

use super::{Args, Failure};
use std::path::PathBuf;

/// `v6sentinel service …`.
#[derive(Debug, clap::Subcommand)]
pub enum ServiceAction {
    /// Install the Windows service "v6sentinel" (automatic start, LocalSystem) and its
    /// Event Log source; write an example configuration if there is none. Run as
    /// administrator.
    Install {
        /// The configuration the service reads (default
        /// %ProgramData%\v6sentinel\v6sentinel.toml).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Stop and delete the service and its Event Log sources; the configuration and the
    /// spool stay. Run as administrator.
    Uninstall {
        /// Also remove the Event Log sources this configuration names (default: the one
        /// the installed service reads).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// What the service manager starts; not for a console (use `watch` there).
    #[command(hide = true)]
    Run {
        /// The configuration (default %ProgramData%\v6sentinel\v6sentinel.toml).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

/// Runs `service …`.
#[cfg(not(windows))]
pub fn run(_: &Args, _: std::time::Instant, _: &ServiceAction) -> Result<u8, Failure> {
    Err(Failure::unknown(
        "`service` exists on Windows only; on Linux run `watch` under systemd with the unit \
         and example configuration in packaging/ (see packaging/README.md)",
    ))
}

/// Runs `service …`.
#[cfg(windows)]
pub fn run(
    args: &Args,
    started: std::time::Instant,
    action: &ServiceAction,
) -> Result<u8, Failure> {
    match action {
        ServiceAction::Install { config } => win::install(config.as_deref()),
        ServiceAction::Uninstall { config } => win::uninstall(config.as_deref()),
        ServiceAction::Run { config } => {
            let settings = super::settings(args, started)?;
            let watch = super::watch::WatchArgs {
                config: Some(match config {
                    Some(c) => absolute(c),
                    None => win::default_config(),
                }),
                flags: super::config::Flags {
                    interfaces: args.interfaces.clone(),
                    allow: settings.allow.clone(),
                    rules: args.rules.clone(),
                    oui_files: args.oui_files.clone(),
                    ..super::config::Flags::default()
                },
            };
            win::run_service(settings, watch)
        }
    }
}

/// `path` made absolute against the current directory (the service runs in System32).
#[cfg_attr(not(windows), allow(dead_code))]
fn absolute(path: &std::path::Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

/// The example configuration `install` writes, with `interface` as the watched
/// interface.
#[cfg_attr(not(windows), allow(dead_code))]
fn example_config(interface: &str) -> String {
    let quoted: String = interface
        .chars()
        .flat_map(|c| match c {
            '\\' => vec!['\\', '\\'],
            '"' => vec!['\\', '"'],
            c => vec![c],
        })
        .collect();
    EXAMPLE.replacen(
        "interfaces = [\"Ethernet\"]",
        &format!("interfaces = [\"{quoted}\"]"),
        1,
    )
}

/// `packaging/v6sentinel-windows.toml`.
#[cfg_attr(not(windows), allow(dead_code))]
const EXAMPLE: &str = include_str!("../../packaging/v6sentinel-windows.toml");

/// The value of `--config` in a service's command line as the service manager stores
/// it (`"C:\…\v6sentinel.exe" service run --config "C:\…\v6sentinel.toml"`), unquoted.
#[cfg_attr(not(windows), allow(dead_code))]
fn config_in_command_line(command: &str) -> Option<PathBuf> {
    let rest = command.split_once(" --config ")?.1.trim_start();
    let value = match rest.strip_prefix('"') {
        // Inside quotes (CommandLineToArgvW's rules, as windows-service quotes): `\"`
        // is a quote; backslashes before anything else are literal. A path holds no
        // quote, so the first unescaped one ends it.
        Some(quoted) => {
            let mut out = String::new();
            let mut chars = quoted.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '\\' if chars.peek() == Some(&'"') => {
                        out.push('"');
                        chars.next();
                    }
                    '"' => break,
                    c => out.push(c),
                }
            }
            out
        }
        None => rest.split_whitespace().next()?.to_owned(),
    };
    (!value.is_empty()).then(|| PathBuf::from(value))
}

#[cfg(windows)]
mod win {
    use super::super::config::{self, Flags};
    use super::super::watch::{self, Control, EXIT_CONFIG, WatchArgs};
    use super::super::{EXIT_UNKNOWN, Failure, Settings};
    use super::{absolute, config_in_command_line, example_config};
    use core::time::Duration;
    use std::ffi::OsString;
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicU8, Ordering};
    use std::sync::{Arc, Mutex, OnceLock};
    use v6sentinel::sink::eventlog::{self, EventSource, ids, types};
    use v6sentinel::sink::{SinkConfig, program_data_dir};
    use windows_service::service::{
        ServiceAccess, ServiceAction, ServiceActionType, ServiceControl, ServiceControlAccept,
        ServiceErrorControl, ServiceExitCode, ServiceFailureActions, ServiceFailureResetPeriod,
        ServiceInfo, ServiceStartType, ServiceState, ServiceStatus, ServiceType,
    };
    use windows_service::service_control_handler::{self, ServiceControlHandlerResult};
    use windows_service::service_manager::{ServiceManager, ServiceManagerAccess};
    use windows_service::{define_windows_service, service_dispatcher};
    use windows_sys::Win32::Foundation::{
        ERROR_FAILED_SERVICE_CONTROLLER_CONNECT, ERROR_SERVICE_DOES_NOT_EXIST, ERROR_SERVICE_EXISTS,
    };

    /// The service's name (`sc query v6sentinel`).
    pub const SERVICE_NAME: &str = "v6sentinel";
    /// What the Services console shows.
    pub const DISPLAY_NAME: &str = "v6sentinel IPv6 configuration monitor";
    /// The Services console's description.
    const DESCRIPTION: &str = "Watches this LAN for devices that hand out IPv6 \
        configuration (Router Advertisements, DHCPv6) and would break the online \
        eligibility terminal (network error 011). Alerts: Event Viewer > Windows Logs > \
        Application, source v6sentinel, and the sinks of the configuration.";

    /// StartPending's and StopPending's wait hints: the service manager's patience. Stop
    /// waits for the sinks to flush (10 s at most, as on SIGTERM), plus a margin.
    const START_WAIT: Duration = Duration::from_secs(20);
    const STOP_WAIT: Duration = Duration::from_secs(15);
    /// How long `uninstall` waits for a running service to stop.
    const UNINSTALL_WAIT: Duration = Duration::from_secs(30);
    /// Restarts after a crash (not after an exit with an error code, such as 78 for a
    /// bad configuration, which a restart would not fix).
    const RESTART_DELAYS: [Duration; 3] = [
        Duration::from_secs(10),
        Duration::from_secs(10),
        Duration::from_secs(60),
    ];
    /// The crash count is reset after a day without one.
    const RESTART_RESET: Duration = Duration::from_secs(86_400);

    /// `%ProgramData%\v6sentinel\v6sentinel.toml`.
    pub fn default_config() -> PathBuf {
        program_data_dir().join("v6sentinel.toml")
    }

    fn say(line: &str) -> Result<(), Failure> {
        super::super::print_out(&format!("{line}\n"))
    }

    fn admin_hint(what: &str, e: &dyn std::fmt::Display) -> Failure {
        Failure::unknown(format!(
            "{what}: {e} (run this from a command prompt opened with \"Run as administrator\")"
        ))
    }

    /// The Event Log sources to register or remove: `v6sentinel` (the service's own
    /// events) and those the `eventlog` sinks of `config` name, when it reads.
    fn sources(config: &Path) -> Vec<String> {
        let mut list = vec![eventlog::DEFAULT_SOURCE.to_owned()];
        if let Ok(c) = config::load(Some(config), &Flags::default()) {
            for sink in &c.sinks {
                if let SinkConfig::Eventlog(e) = sink {
                    if !list.contains(&e.source) {
                        list.push(e.source.clone());
                    }
                }
            }
        }
        list
    }

    pub fn install(config: Option<&Path>) -> Result<u8, Failure> {
        let data = program_data_dir();
        let config = config.map_or_else(default_config, absolute);
        let exe = std::env::current_exe()
            .map_err(|e| Failure::unknown(format!("cannot find this program's path: {e}")))?;

        // 1. The data directory and the configuration.
        if data.is_dir() {
            say(&format!("{} exists", data.display()))?;
        } else {
            std::fs::create_dir_all(&data)
                .map_err(|e| admin_hint(&format!("cannot create {}", data.display()), &e))?;
            say(&format!("created {}", data.display()))?;
        }
        if config.exists() {
            say(&format!(
                "kept the existing configuration {}",
                config.display()
            ))?;
        } else {
            if let Some(dir) = config.parent() {
                std::fs::create_dir_all(dir).map_err(|e| {
                    Failure::unknown(format!("cannot create {}: {e}", dir.display()))
                })?;
            }
            let (interface, why) = match v6sentinel::host::windows_default_adapter() {
                Some(a) => (a.friendly_name, "the adapter of the default route"),
                None => ("Ethernet".to_owned(), "no default route found: check it"),
            };
            let text = example_config(&interface);
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&config)
                .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
                .map_err(|e| Failure::unknown(format!("cannot write {}: {e}", config.display())))?;
            say(&format!(
                "wrote an example configuration {} (interfaces = [\"{interface}\"]: {why})",
                config.display()
            ))?;
        }
        let checked = config::load(Some(&config), &Flags::default());
        if let Err(e) = &checked {
            say(&format!(
                "warning: the configuration has an error; the service will not start until \
                 it is fixed: {e}"
            ))?;
        }

        // 2. The Event Log sources.
        for source in sources(&config) {
            let new = eventlog::register_source(&source).map_err(|e| {
                admin_hint(&format!("registering the Event Log source {source:?}"), &e)
            })?;
            say(&format!(
                "{} the Event Log source {source:?} (Windows Logs > Application; message \
                 file {})",
                if new { "registered" } else { "updated" },
                eventlog::MESSAGE_FILE
            ))?;
        }

        // 3. The service.
        let manager = ServiceManager::local_computer(
            None::<&str>,
            ServiceManagerAccess::CONNECT | ServiceManagerAccess::CREATE_SERVICE,
        )
        .map_err(|e| admin_hint("cannot open the service manager", &e))?;
        let info = ServiceInfo {
            name: OsString::from(SERVICE_NAME),
            display_name: OsString::from(DISPLAY_NAME),
            service_type: ServiceType::OWN_PROCESS,
            start_type: ServiceStartType::AutoStart,
            error_control: ServiceErrorControl::Normal,
            executable_path: exe.clone(),
            launch_arguments: vec![
                OsString::from("service"),
                OsString::from("run"),
                OsString::from("--config"),
                config.clone().into_os_string(),
            ],
            dependencies: vec![],
            // LocalSystem: see docs/CHOICES.md, "Windows service and Event Log".
            account_name: None,
            account_password: None,
        };
        let service = manager
            .create_service(&info, ServiceAccess::CHANGE_CONFIG | ServiceAccess::START)
            .map_err(|e| match &e {
                windows_service::Error::Winapi(io)
                    if io.raw_os_error() == Some(ERROR_SERVICE_EXISTS as i32) =>
                {
                    Failure::unknown(
                        "the service v6sentinel already exists: `v6sentinel service \
                         uninstall` first (the configuration stays)",
                    )
                }
                _ => admin_hint("creating the service", &e),
            })?;
        service
            .set_description(DESCRIPTION)
            .map_err(|e| Failure::unknown(format!("setting the description: {e}")))?;
        let restarts = ServiceFailureActions {
            reset_period: ServiceFailureResetPeriod::After(RESTART_RESET),
            reboot_msg: None,
            command: None,
            actions: Some(
                RESTART_DELAYS
                    .iter()
                    .map(|&delay| ServiceAction {
                        action_type: ServiceActionType::Restart,
                        delay,
                    })
                    .collect(),
            ),
        };
        service
            .update_failure_actions(restarts)
            .map_err(|e| Failure::unknown(format!("setting the restart policy: {e}")))?;
        say(&format!(
            "created the service {SERVICE_NAME} (\"{DISPLAY_NAME}\"): automatic start, \
             account LocalSystem, restarted 10 s after a crash"
        ))?;
        say(&format!(
            "  command line: \"{}\" service run --config \"{}\"",
            exe.display(),
            config.display()
        ))?;
        say(&format!(
            "not started yet: check {} (interfaces, allow), then `sc start {SERVICE_NAME}` \
             (it also starts with Windows)",
            config.display()
        ))?;
        Ok(0)
    }

    pub fn uninstall(config: Option<&Path>) -> Result<u8, Failure> {
        let manager = ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::CONNECT)
            .map_err(|e| admin_hint("cannot open the service manager", &e))?;
        let mut installed_config = None;
        match manager.open_service(
            SERVICE_NAME,
            ServiceAccess::QUERY_STATUS
                | ServiceAccess::QUERY_CONFIG
                | ServiceAccess::STOP
                | ServiceAccess::DELETE,
        ) {
            Err(windows_service::Error::Winapi(e))
                if e.raw_os_error() == Some(ERROR_SERVICE_DOES_NOT_EXIST as i32) =>
            {
                say(&format!("the service {SERVICE_NAME} is not installed"))?;
            }
            Err(e) => return Err(admin_hint("opening the service", &e)),
            Ok(service) => {
                installed_config = service
                    .query_config()
                    .ok()
                    .and_then(|c| config_in_command_line(&c.executable_path.to_string_lossy()));
                let status = service
                    .query_status()
                    .map_err(|e| Failure::unknown(format!("querying the service: {e}")))?;
                if status.current_state != ServiceState::Stopped {
                    say(&format!(
                        "stopping the service {SERVICE_NAME} (its sinks flush first)"
                    ))?;
                    if status.current_state != ServiceState::StopPending {
                        service
                            .stop()
                            .map_err(|e| Failure::unknown(format!("stopping the service: {e}")))?;
                    }
                    let began = std::time::Instant::now();
                    let mut stopped = false;
                    while began.elapsed() < UNINSTALL_WAIT {
                        if service
                            .query_status()
                            .is_ok_and(|s| s.current_state == ServiceState::Stopped)
                        {
                            stopped = true;
                            break;
                        }
                        std::thread::sleep(Duration::from_millis(250));
                    }
                    say(if stopped {
                        "stopped"
                    } else {
                        "it did not stop within 30 s; it is deleted when it does"
                    })?;
                }
                service
                    .delete()
                    .map_err(|e| Failure::unknown(format!("deleting the service: {e}")))?;
                say(&format!("deleted the service {SERVICE_NAME}"))?;
            }
        }
        let config = config
            .map(absolute)
            .or(installed_config)
            .unwrap_or_else(default_config);
        for source in sources(&config) {
            let removed = eventlog::deregister_source(&source).map_err(|e| {
                admin_hint(&format!("removing the Event Log source {source:?}"), &e)
            })?;
            say(&if removed {
                format!("removed the Event Log source {source:?} (its past events stay in the log)")
            } else {
                format!("the Event Log source {source:?} was not registered")
            })?;
        }
        say(&format!(
            "kept {} (configuration, spool, log): delete it yourself if it is no longer needed",
            program_data_dir().display()
        ))?;
        Ok(0)
    }

    /// What `service_main` needs, handed over from `main`'s thread.
    struct Start {
        settings: Settings,
        watch: WatchArgs,
    }

    static START: Mutex<Option<Start>> = Mutex::new(None);
    /// The exit code `service_main` ends with, for the process.
    static EXIT: AtomicU8 = AtomicU8::new(0);

    define_windows_service!(ffi_service_main, service_main);

    /// Connects to the service manager and runs the service until it stops.
    pub fn run_service(settings: Settings, watch: WatchArgs) -> Result<u8, Failure> {
        if let Ok(mut start) = START.lock() {
            *start = Some(Start { settings, watch });
        }
        match service_dispatcher::start(SERVICE_NAME, ffi_service_main) {
            Ok(()) => Ok(EXIT.load(Ordering::SeqCst)),
            Err(windows_service::Error::Winapi(e))
                if e.raw_os_error() == Some(ERROR_FAILED_SERVICE_CONTROLLER_CONNECT as i32) =>
            {
                Err(Failure::unknown(
                    "`service run` is what the Windows service manager starts; in a console \
                     run `v6sentinel watch --config FILE`, and start the service with \
                     `sc start v6sentinel`",
                ))
            }
            Err(e) => Err(Failure::unknown(format!(
                "connecting to the service manager: {e}"
            ))),
        }
    }

    /// Writes one of the service's own events under the source `v6sentinel`. Best
    /// effort: there is nowhere else to report that this failed.
    fn log_event(kind: u16, id: u32, text: &str) {
        if let Ok(source) = EventSource::open(eventlog::DEFAULT_SOURCE) {
            let _ = source.report(kind, id, &eventlog::event_text(text));
        }
    }

    fn status(state: ServiceState, exit: ServiceExitCode, wait: Duration) -> ServiceStatus {
        let pending = matches!(
            state,
            ServiceState::StartPending | ServiceState::StopPending
        );
        ServiceStatus {
            service_type: ServiceType::OWN_PROCESS,
            current_state: state,
            controls_accepted: if state == ServiceState::Running {
                ServiceControlAccept::STOP
                    | ServiceControlAccept::SHUTDOWN
                    | ServiceControlAccept::PARAM_CHANGE
            } else {
                ServiceControlAccept::empty()
            },
            exit_code: exit,
            checkpoint: u32::from(pending),
            wait_hint: if pending { wait } else { Duration::ZERO },
            process_id: None,
        }
    }

    /// What the control handler does with a control.
    #[derive(Debug, PartialEq, Eq)]
    pub(super) enum Reply {
        /// Pass it to `watch` and say NO_ERROR.
        Send(Control),
        /// Say NO_ERROR: Interrogate, whose answer is the status last reported.
        Acknowledge,
        /// Say ERROR_CALL_NOT_IMPLEMENTED (the manager sends only what we accept).
        NotImplemented,
    }

    /// Stop and Shutdown stop as SIGTERM does, ParamChange reloads as SIGHUP does.
    pub(super) fn reply(control: ServiceControl) -> Reply {
        match control {
            ServiceControl::Stop | ServiceControl::Shutdown => Reply::Send(Control::Stop),
            ServiceControl::ParamChange => Reply::Send(Control::Reload),
            ServiceControl::Interrogate => Reply::Acknowledge,
            _ => Reply::NotImplemented,
        }
    }

    fn service_main(_arguments: Vec<OsString>) {
        let start = START.lock().ok().and_then(|mut s| s.take());
        let code = match start {
            Some(start) => serve(start),
            None => EXIT_UNKNOWN,
        };
        EXIT.store(code, Ordering::SeqCst);
    }

    /// The service's life, from StartPending to Stopped; returns the exit code.
    fn serve(start: Start) -> u8 {
        let Start {
            settings,
            mut watch,
        } = start;
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let handle_cell: Arc<OnceLock<service_control_handler::ServiceStatusHandle>> =
            Arc::default();
        let in_handler = handle_cell.clone();
        // Called on the dispatcher's thread (`main`'s): it only passes the control on.
        let handler = move |control| match reply(control) {
            Reply::Send(c) => {
                if c == Control::Stop {
                    if let Some(h) = in_handler.get() {
                        let _ = h.set_service_status(status(
                            ServiceState::StopPending,
                            ServiceExitCode::NO_ERROR,
                            STOP_WAIT,
                        ));
                    }
                }
                let _ = tx.send(c);
                ServiceControlHandlerResult::NoError
            }
            Reply::Acknowledge => ServiceControlHandlerResult::NoError,
            Reply::NotImplemented => ServiceControlHandlerResult::NotImplemented,
        };
        let handle = match service_control_handler::register(SERVICE_NAME, handler) {
            Ok(h) => h,
            Err(e) => {
                log_event(
                    types::ERROR,
                    ids::SERVICE_FAILED,
                    &format!("v6sentinel: cannot register the service control handler: {e}"),
                );
                return EXIT_UNKNOWN;
            }
        };
        let _ = handle_cell.set(handle);
        let set = |state, exit, wait| {
            let _ = handle.set_service_status(status(state, exit, wait));
        };
        set(
            ServiceState::StartPending,
            ServiceExitCode::NO_ERROR,
            START_WAIT,
        );
        let data = program_data_dir();
        let log = std::fs::create_dir_all(&data)
            .and_then(|()| eventlog::log_stderr_to(&data.join("v6sentinel.log")))
            .ok();
        let config_path = watch.config.clone().unwrap_or_else(default_config);
        let code = match config::load(Some(&config_path), &watch.flags) {
            Err(e) => {
                eprintln!("v6sentinel: {e}");
                log_event(
                    types::ERROR,
                    ids::SERVICE_CONFIG_ERROR,
                    &format!("v6sentinel cannot start: {e}"),
                );
                EXIT_CONFIG
            }
            Ok(c) => {
                // Standard output goes nowhere under the service manager: a
                // configuration without sinks writes to the Event Log instead.
                if c.sinks.is_empty() && watch.flags.sinks.is_empty() {
                    watch.flags.sinks = vec![SinkConfig::Eventlog(Default::default())];
                }
                set(
                    ServiceState::Running,
                    ServiceExitCode::NO_ERROR,
                    Duration::ZERO,
                );
                let started = format!(
                    "v6sentinel {} started: watching {} with {}",
                    env!("CARGO_PKG_VERSION"),
                    c.interfaces.join(", "),
                    config_path.display()
                );
                eprintln!("v6sentinel: {started}");
                log_event(types::INFORMATION, ids::SERVICE_STARTED, &started);
                match watch::run_with(&settings, &watch, Some(rx)) {
                    Ok(code) => code,
                    Err(f) => {
                        eprintln!("v6sentinel: {}", f.message);
                        let id = if f.code == EXIT_CONFIG {
                            ids::SERVICE_CONFIG_ERROR
                        } else {
                            ids::SERVICE_FAILED
                        };
                        log_event(
                            types::ERROR,
                            id,
                            &format!("v6sentinel stopped (exit code {}): {}", f.code, f.message),
                        );
                        f.code
                    }
                }
            }
        };
        if code == 0 {
            eprintln!("v6sentinel: stopped");
            log_event(
                types::INFORMATION,
                ids::SERVICE_STOPPED,
                "v6sentinel stopped; its sinks were flushed",
            );
        }
        let exit = if code == 0 {
            ServiceExitCode::NO_ERROR
        } else {
            ServiceExitCode::ServiceSpecific(u32::from(code))
        };
        if let Some(log) = log {
            log.flush(Duration::from_secs(2));
        }
        set(ServiceState::Stopped, exit, Duration::ZERO);
        code
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_path_is_read_back_from_the_command_line() {
        let cmd = r#""C:\Program Files\v6sentinel\v6sentinel.exe" service run --config "C:\ProgramData\v6sentinel\v6sentinel.toml""#;
        assert_eq!(
            config_in_command_line(cmd),
            Some(PathBuf::from(r"C:\ProgramData\v6sentinel\v6sentinel.toml"))
        );
        let cmd = r"C:\v6\v6sentinel.exe service run --config C:\v6\c.toml";
        assert_eq!(
            config_in_command_line(cmd),
            Some(PathBuf::from(r"C:\v6\c.toml"))
        );
        let cmd = r#""C:\v6\v6sentinel.exe" service run --config "C:\a b\c.toml" -v"#;
        assert_eq!(
            config_in_command_line(cmd),
            Some(PathBuf::from(r"C:\a b\c.toml"))
        );
        assert_eq!(config_in_command_line(r"C:\v6.exe service run"), None);
    }

    #[cfg(windows)]
    #[test]
    fn controls_map_to_watch_controls() {
        use super::super::watch::Control;
        use win::{Reply, reply};
        use windows_service::service::ServiceControl;
        assert_eq!(reply(ServiceControl::Stop), Reply::Send(Control::Stop));
        assert_eq!(reply(ServiceControl::Shutdown), Reply::Send(Control::Stop));
        assert_eq!(
            reply(ServiceControl::ParamChange),
            Reply::Send(Control::Reload)
        );
        assert_eq!(reply(ServiceControl::Interrogate), Reply::Acknowledge);
        assert_eq!(reply(ServiceControl::Pause), Reply::NotImplemented);
        assert_eq!(reply(ServiceControl::Preshutdown), Reply::NotImplemented);
    }

    /// `watch` told to stop through the controls channel (as the service's handler does)
    /// flushes and returns 0. Needs Npcap (under wine: tests/wine/packet_stub.c as
    /// system32\Packet.dll, which `scripts/wine-run.sh` installs with
    /// `V6S_WINE_NPCAP_STUB=1`); fails without it, saying so.
    #[cfg(windows)]
    #[test]
    fn a_stop_control_ends_watch_with_0() {
        use super::super::watch::{self, Control, WatchArgs};
        use clap::Parser;
        let Some(adapter) = v6sentinel::host::windows_adapters()
            .into_iter()
            .find(|a| a.up && a.mac.is_some())
        else {
            panic!("no network adapter is up");
        };
        if let Err(e) =
            v6sentinel::capture::open(&adapter.friendly_name, v6sentinel::capture::Backend::Pnet)
        {
            panic!(
                "cannot capture on {}: {e} (under wine, run with V6S_WINE_NPCAP_STUB=1 \
                 through scripts/wine-run.sh)",
                adapter.friendly_name
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let alerts = dir.path().join("alerts.jsonl");
        let config = dir.path().join("v6sentinel.toml");
        std::fs::write(
            &config,
            format!(
                "interfaces = [{:?}]\n[[sink]]\ntype = \"file\"\npath = {:?}\n",
                adapter.friendly_name,
                alerts.display().to_string()
            ),
        )
        .unwrap();
        let args = Args::try_parse_from(["v6sentinel", "watch"]).unwrap();
        let settings = super::super::settings(&args, std::time::Instant::now()).unwrap();
        let watch_args = WatchArgs {
            config: Some(config),
            flags: Default::default(),
        };
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let stopper = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_secs(2));
            tx.send(Control::Reload).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(500));
            tx.send(Control::Stop).unwrap();
        });
        let began = std::time::Instant::now();
        let code = watch::run_with(&settings, &watch_args, Some(rx)).map_err(|f| f.message);
        stopper.join().unwrap();
        assert_eq!(code, Ok(0));
        assert!(began.elapsed() < std::time::Duration::from_secs(10));
        assert!(alerts.exists(), "the file sink was opened");
    }

    #[test]
    fn the_example_names_the_interface_given() {
        let text = example_config("イーサネット 2");
        assert!(text.contains("interfaces = [\"イーサネット 2\"]"), "{text}");
        let text = example_config(r#"odd\"name"#);
        assert!(text.contains(r#"interfaces = ["odd\\\"name"]"#), "{text}");
        let parsed: toml::Table = toml::from_str(&text).expect("still TOML");
        assert_eq!(parsed["interfaces"][0].as_str(), Some(r#"odd\"name"#));
    }
}
