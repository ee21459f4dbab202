//! Windows only: the Event Log sink through `ReportEventW`, the event source registry
//! entries, and `service install` / `uninstall` / a start that fails on a bad
//! configuration, against the real service manager.
//!
//! Needs an administrator (the service manager and HKLM); without one each test fails,
//! saying so. Runs under wine too (wine's services.exe and registry):
//! `CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine cargo test --target
//! x86_64-pc-windows-gnu --test windows_service` with tests/wine/bcryptprimitives.c built
//! beside the test executables (see that file); `scripts/test.sh` runs it through
//! `scripts/wine-run.sh`. The service tests fail, rather than replace it, when a service
//! `v6sentinel` is already installed.
#![cfg(windows)]

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::{Duration, Instant};
use v6sentinel::sink::eventlog::{self, EventSource, ids, types};
use v6sentinel::sink::{Alert, AlertSeverity, EventlogConfig, SinkConfig, Sinks};
use windows_service::service::{ServiceAccess, ServiceExitCode, ServiceStartType, ServiceState};
use windows_service::service_manager::{ServiceManager, ServiceManagerAccess};

const SERVICE: &str = "v6sentinel";

fn bin(program_data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_v6sentinel"));
    c.env("ProgramData", program_data);
    c
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A source name of this test run's own, so that nothing real is touched.
fn test_source(what: &str) -> String {
    format!("v6sentinel-test-{what}-{}", std::process::id())
}

#[test]
fn event_sources_register_report_and_go() {
    let source = test_source("source");
    match eventlog::register_source(&source) {
        Ok(new) => assert!(new, "a fresh name"),
        Err(e) => panic!("registering an event source needs an administrator: {e}"),
    }
    assert!(eventlog::is_registered(&source));
    // Registering again updates the values in place.
    assert_eq!(eventlog::register_source(&source).ok(), Some(false));

    let log = EventSource::open(&source).expect("RegisterEventSourceW");
    for (kind, id) in [
        (types::ERROR, ids::SOURCE_RAISED),
        (types::WARNING, ids::SOURCE_UPDATED),
        (types::INFORMATION, ids::SOURCE_RESOLVED),
    ] {
        log.report(kind, id, r#"{"schema":"v6sentinel.alert/1","test":true}"#)
            .expect("ReportEventW");
    }
    let long = "x".repeat(eventlog::MAX_TEXT + 10);
    log.report(
        types::INFORMATION,
        ids::ALERT_OTHER,
        &eventlog::event_text(&long),
    )
    .expect("a cut alert fits");
    drop(log);

    assert_eq!(eventlog::deregister_source(&source).ok(), Some(true));
    assert!(!eventlog::is_registered(&source));
    assert_eq!(eventlog::deregister_source(&source).ok(), Some(false));
    assert!(eventlog::register_source(r"bad\name").is_err());
}

#[test]
fn the_eventlog_sink_delivers_every_alert_and_flushes() {
    let source = test_source("sink");
    let registered = eventlog::register_source(&source).is_ok();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let config = SinkConfig::Eventlog(EventlogConfig {
        source: source.clone(),
    });
    assert_eq!(config.validate(), Ok(()));
    runtime.block_on(async {
        let sinks = Sinks::start(std::slice::from_ref(&config)).expect("the sink starts");
        for (n, severity) in [
            AlertSeverity::Critical,
            AlertSeverity::Warning,
            AlertSeverity::Info,
            AlertSeverity::Resolved,
        ]
        .into_iter()
        .enumerate()
        {
            sinks.send(Alert {
                line: Arc::from(format!(
                    r#"{{"schema":"v6sentinel.alert/1","event":"raised","kind":"source","n":{n},"note":"100%"}}"#
                )),
                severity,
            });
        }
        let began = Instant::now();
        while sinks.stats()[0].delivered < 4 && began.elapsed() < Duration::from_secs(10) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let s = &sinks.stats()[0];
        assert_eq!((s.kind, s.name.as_str()), ("eventlog", &*format!("eventlog:{source}")));
        assert_eq!((s.delivered, s.failed, s.dropped, s.queued), (4, 0, 0, 0), "{s:?}");
        sinks.shutdown(Duration::from_secs(5)).await;
    });
    // Alerts still queued at shutdown are written before it returns (the SIGTERM and
    // service-stop path), well within the deadline.
    runtime.block_on(async {
        let sinks = Sinks::start(&[config]).unwrap();
        for _ in 0..50 {
            sinks.send(Alert {
                line: Arc::from(r#"{"kind":"flood","event":"resolved"}"#),
                severity: AlertSeverity::Resolved,
            });
        }
        let began = Instant::now();
        sinks.shutdown(Duration::from_secs(10)).await;
        assert!(began.elapsed() < Duration::from_secs(5));
    });
    if registered {
        let _ = eventlog::deregister_source(&source);
    }
}

/// The service manager with the rights `install` needs; fails the test, saying why,
/// without them.
fn manager() -> Option<ServiceManager> {
    let m = match ServiceManager::local_computer(
        None::<&str>,
        ServiceManagerAccess::CONNECT | ServiceManagerAccess::CREATE_SERVICE,
    ) {
        Ok(m) => m,
        Err(e) => panic!("the service manager needs an administrator: {e}"),
    };
    assert!(
        m.open_service(SERVICE, ServiceAccess::QUERY_STATUS)
            .is_err(),
        "a service {SERVICE} is installed already: uninstall it (v6sentinel service \
         uninstall) before running this test, which would replace it"
    );
    let probe = test_source("rights");
    assert!(
        eventlog::register_source(&probe).is_ok(),
        "HKLM needs an administrator: run the test as one"
    );
    let _ = eventlog::deregister_source(&probe);
    Some(m)
}

#[test]
fn install_start_with_a_bad_config_and_uninstall() {
    let Some(manager) = manager() else { return };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("v6sentinel");
    let config = data.join("v6sentinel.toml");

    // `service run` from a console is refused with a hint.
    let out = bin(dir.path()).args(["service", "run"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("sc start v6sentinel"), "{}", text(&out));

    let out = bin(dir.path())
        .args(["service", "install"])
        .output()
        .unwrap();
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains(&format!("created {}", data.display())),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "wrote an example configuration {}",
            config.display()
        )),
        "{said}"
    );
    assert!(
        said.contains("registered the Event Log source \"v6sentinel\""),
        "{said}"
    );
    assert!(said.contains("created the service v6sentinel"), "{said}");
    assert!(said.contains("not started yet"), "{said}");
    assert!(config.is_file());
    assert!(eventlog::is_registered("v6sentinel"));

    let service = manager
        .open_service(
            SERVICE,
            ServiceAccess::QUERY_CONFIG | ServiceAccess::QUERY_STATUS | ServiceAccess::START,
        )
        .expect("installed");
    let c = service.query_config().unwrap();
    assert_eq!(c.start_type, ServiceStartType::AutoStart);
    assert_eq!(
        c.display_name.to_string_lossy(),
        "v6sentinel IPv6 configuration monitor"
    );
    let command = c.executable_path.to_string_lossy().into_owned();
    assert!(
        command.contains(&format!("service run --config \"{}\"", config.display()))
            || command.contains(&format!("service run --config {}", config.display())),
        "{command}"
    );
    assert_eq!(
        service.query_status().unwrap().current_state,
        ServiceState::Stopped
    );

    // A second install refuses and names the way out.
    let out = bin(dir.path())
        .args(["service", "install"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("already exists"), "{}", text(&out));

    // A bad configuration: the service reports Stopped with exit code 78.
    std::fs::write(
        &config,
        "interfaces = [\"Ethernet\"]\nprobe_interval_s = 2\n",
    )
    .unwrap();
    service.start::<&str>(&[]).expect("StartService");
    let began = Instant::now();
    let status = loop {
        let s = service.query_status().unwrap();
        if s.current_state == ServiceState::Stopped || began.elapsed() > Duration::from_secs(30) {
            break s;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(status.current_state, ServiceState::Stopped);
    assert_eq!(status.exit_code, ServiceExitCode::ServiceSpecific(78));
    drop(service);

    let out = bin(dir.path())
        .args(["service", "uninstall"])
        .output()
        .unwrap();
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("deleted the service v6sentinel"), "{said}");
    assert!(
        said.contains("removed the Event Log source \"v6sentinel\""),
        "{said}"
    );
    assert!(said.contains("kept"), "{said}");
    assert!(config.is_file(), "the configuration stays");
    assert!(!eventlog::is_registered("v6sentinel"));
    let began = Instant::now();
    while manager
        .open_service(SERVICE, ServiceAccess::QUERY_STATUS)
        .is_ok()
    {
        assert!(
            began.elapsed() < Duration::from_secs(10),
            "the service is gone"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    let out = bin(dir.path())
        .args(["service", "uninstall"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("is not installed"), "{}", text(&out));
}
