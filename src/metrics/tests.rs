use super::*;

#[test]
fn a_fresh_registry_shows_build_info_start_time_and_reloads() {
    let m = Metrics::new("0.1.0", 1_700_000_000);
    assert_eq!(
        m.render(),
        "\
# HELP v6sentinel_build_info The version of v6sentinel that runs (always 1).
# TYPE v6sentinel_build_info gauge
v6sentinel_build_info{version=\"0.1.0\"} 1
# HELP v6sentinel_start_time_seconds When the service started, in seconds since the Unix epoch.
# TYPE v6sentinel_start_time_seconds gauge
v6sentinel_start_time_seconds 1700000000
# HELP v6sentinel_config_reloads_total Configuration reloads (SIGHUP), by result.
# TYPE v6sentinel_config_reloads_total counter
v6sentinel_config_reloads_total{result=\"ok\"} 0
v6sentinel_config_reloads_total{result=\"failed\"} 0
"
    );
}

/// Every family, two interfaces (one on a backend without kernel counters), two sinks.
#[test]
fn everything_renders_exactly() {
    let m = Metrics::new("0.1.0", 1_700_000_000);
    m.heartbeat(1_700_000_042);
    m.reload(true);
    m.reload(false);
    m.reload(true);
    m.set_detector_stats(
        "eth0",
        &Stats {
            frames: 1000,
            candidates: 40,
            router_adverts: 12,
            dhcpv6_server_messages: 3,
            invalid_router_adverts: 1,
            malformed: 2,
            fragments: 4,
            reassembled: 1,
            sources_not_kept: 5,
        },
    );
    m.set_capture_stats(
        "eth0",
        &CaptureStats {
            received: 40,
            kernel_passed: Some(41),
            dropped_by_kernel: Some(1),
            dropped_by_queue: 0,
            filtered: 0,
            truncated: 0,
        },
    );
    m.set_capture_up("eth0", true);
    m.set_sources("eth0", 1, 0, 2);
    m.alert("eth0", EventKind::Raised);
    m.alert("eth0", EventKind::Raised);
    m.alert("eth0", EventKind::Updated);
    m.alert("eth0", EventKind::Resolved);
    // A pnet capture: no kernel counters. Shown first: "enp1s0" < "eth0".
    m.set_capture_stats(
        "enp1s0",
        &CaptureStats {
            received: 7,
            kernel_passed: None,
            dropped_by_kernel: None,
            dropped_by_queue: 3,
            filtered: 90,
            truncated: 1,
        },
    );
    m.set_sinks(vec![
        SinkSample {
            name: "stdout".into(),
            kind: "stdout".into(),
            queued: 0,
            spooled: 0,
            delivered: 3,
            failed: 0,
            dropped: 0,
        },
        SinkSample {
            name: "webhook-1".into(),
            kind: "webhook".into(),
            queued: 2,
            spooled: 17,
            delivered: 1,
            failed: 9,
            dropped: 4,
        },
    ]);
    assert_eq!(
        m.render(),
        "\
# HELP v6sentinel_build_info The version of v6sentinel that runs (always 1).
# TYPE v6sentinel_build_info gauge
v6sentinel_build_info{version=\"0.1.0\"} 1
# HELP v6sentinel_start_time_seconds When the service started, in seconds since the Unix epoch.
# TYPE v6sentinel_start_time_seconds gauge
v6sentinel_start_time_seconds 1700000000
# HELP v6sentinel_last_loop_timestamp_seconds When the service's main loop last ran, in seconds since the Unix epoch; it runs at least every few seconds, idle or not.
# TYPE v6sentinel_last_loop_timestamp_seconds gauge
v6sentinel_last_loop_timestamp_seconds 1700000042
# HELP v6sentinel_config_reloads_total Configuration reloads (SIGHUP), by result.
# TYPE v6sentinel_config_reloads_total counter
v6sentinel_config_reloads_total{result=\"ok\"} 2
v6sentinel_config_reloads_total{result=\"failed\"} 1
# HELP v6sentinel_capture_up Whether the capture on the interface runs (1) or not (0).
# TYPE v6sentinel_capture_up gauge
v6sentinel_capture_up{interface=\"enp1s0\"} 0
v6sentinel_capture_up{interface=\"eth0\"} 1
# HELP v6sentinel_frames_total Frames fed to the detector.
# TYPE v6sentinel_frames_total counter
v6sentinel_frames_total{interface=\"enp1s0\"} 0
v6sentinel_frames_total{interface=\"eth0\"} 1000
# HELP v6sentinel_candidate_frames_total Frames that may carry a Router Advertisement or DHCPv6 (passed the prefilter).
# TYPE v6sentinel_candidate_frames_total counter
v6sentinel_candidate_frames_total{interface=\"enp1s0\"} 0
v6sentinel_candidate_frames_total{interface=\"eth0\"} 40
# HELP v6sentinel_messages_total Router Advertisements and DHCPv6 server messages seen, valid or not.
# TYPE v6sentinel_messages_total counter
v6sentinel_messages_total{interface=\"enp1s0\",kind=\"router_advert\"} 0
v6sentinel_messages_total{interface=\"enp1s0\",kind=\"dhcpv6_server\"} 0
v6sentinel_messages_total{interface=\"eth0\",kind=\"router_advert\"} 12
v6sentinel_messages_total{interface=\"eth0\",kind=\"dhcpv6_server\"} 3
# HELP v6sentinel_invalid_router_adverts_total Router Advertisements a host would ignore (RFC 4861 section 6.1.2).
# TYPE v6sentinel_invalid_router_adverts_total counter
v6sentinel_invalid_router_adverts_total{interface=\"enp1s0\"} 0
v6sentinel_invalid_router_adverts_total{interface=\"eth0\"} 1
# HELP v6sentinel_malformed_frames_total Frames with a malformed part.
# TYPE v6sentinel_malformed_frames_total counter
v6sentinel_malformed_frames_total{interface=\"enp1s0\"} 0
v6sentinel_malformed_frames_total{interface=\"eth0\"} 2
# HELP v6sentinel_fragments_total IPv6 fragments fed to reassembly.
# TYPE v6sentinel_fragments_total counter
v6sentinel_fragments_total{interface=\"enp1s0\"} 0
v6sentinel_fragments_total{interface=\"eth0\"} 4
# HELP v6sentinel_reassembled_datagrams_total IPv6 datagrams reassembled from fragments.
# TYPE v6sentinel_reassembled_datagrams_total counter
v6sentinel_reassembled_datagrams_total{interface=\"enp1s0\"} 0
v6sentinel_reassembled_datagrams_total{interface=\"eth0\"} 1
# HELP v6sentinel_sources_not_kept_total Messages from new senders not kept (source cap reached or flood).
# TYPE v6sentinel_sources_not_kept_total counter
v6sentinel_sources_not_kept_total{interface=\"enp1s0\"} 0
v6sentinel_sources_not_kept_total{interface=\"eth0\"} 5
# HELP v6sentinel_capture_received_frames_total Frames the capture handed to the detector.
# TYPE v6sentinel_capture_received_frames_total counter
v6sentinel_capture_received_frames_total{interface=\"enp1s0\"} 7
v6sentinel_capture_received_frames_total{interface=\"eth0\"} 40
# HELP v6sentinel_capture_kernel_passed_frames_total Frames the kernel filter passed to the capture socket, queued or dropped.
# TYPE v6sentinel_capture_kernel_passed_frames_total counter
v6sentinel_capture_kernel_passed_frames_total{interface=\"eth0\"} 41
# HELP v6sentinel_capture_dropped_frames_total Frames lost before the detector: socket buffer full (kernel) or capture queue full (queue).
# TYPE v6sentinel_capture_dropped_frames_total counter
v6sentinel_capture_dropped_frames_total{interface=\"enp1s0\",stage=\"queue\"} 3
v6sentinel_capture_dropped_frames_total{interface=\"eth0\",stage=\"kernel\"} 1
v6sentinel_capture_dropped_frames_total{interface=\"eth0\",stage=\"queue\"} 0
# HELP v6sentinel_capture_filtered_frames_total Frames read but not handed over (user-space filter, or sent by this host).
# TYPE v6sentinel_capture_filtered_frames_total counter
v6sentinel_capture_filtered_frames_total{interface=\"enp1s0\"} 90
v6sentinel_capture_filtered_frames_total{interface=\"eth0\"} 0
# HELP v6sentinel_capture_truncated_frames_total Frames longer than the capture buffer, handed over cut.
# TYPE v6sentinel_capture_truncated_frames_total counter
v6sentinel_capture_truncated_frames_total{interface=\"enp1s0\"} 1
v6sentinel_capture_truncated_frames_total{interface=\"eth0\"} 0
# HELP v6sentinel_sources Devices sending IPv6 configuration now, by severity.
# TYPE v6sentinel_sources gauge
v6sentinel_sources{interface=\"enp1s0\",severity=\"info\"} 0
v6sentinel_sources{interface=\"enp1s0\",severity=\"warning\"} 0
v6sentinel_sources{interface=\"enp1s0\",severity=\"critical\"} 0
v6sentinel_sources{interface=\"eth0\",severity=\"info\"} 1
v6sentinel_sources{interface=\"eth0\",severity=\"warning\"} 0
v6sentinel_sources{interface=\"eth0\",severity=\"critical\"} 2
# HELP v6sentinel_alerts_total Alert events emitted, by event.
# TYPE v6sentinel_alerts_total counter
v6sentinel_alerts_total{interface=\"enp1s0\",event=\"raised\"} 0
v6sentinel_alerts_total{interface=\"enp1s0\",event=\"updated\"} 0
v6sentinel_alerts_total{interface=\"enp1s0\",event=\"resolved\"} 0
v6sentinel_alerts_total{interface=\"eth0\",event=\"raised\"} 2
v6sentinel_alerts_total{interface=\"eth0\",event=\"updated\"} 1
v6sentinel_alerts_total{interface=\"eth0\",event=\"resolved\"} 1
# HELP v6sentinel_sink_queue_depth Alerts waiting in memory for the sink.
# TYPE v6sentinel_sink_queue_depth gauge
v6sentinel_sink_queue_depth{sink=\"stdout\",type=\"stdout\"} 0
v6sentinel_sink_queue_depth{sink=\"webhook-1\",type=\"webhook\"} 2
# HELP v6sentinel_sink_spool_depth Alerts waiting in the sink's on-disk spool.
# TYPE v6sentinel_sink_spool_depth gauge
v6sentinel_sink_spool_depth{sink=\"stdout\",type=\"stdout\"} 0
v6sentinel_sink_spool_depth{sink=\"webhook-1\",type=\"webhook\"} 17
# HELP v6sentinel_sink_delivered_total Alerts the sink delivered.
# TYPE v6sentinel_sink_delivered_total counter
v6sentinel_sink_delivered_total{sink=\"stdout\",type=\"stdout\"} 3
v6sentinel_sink_delivered_total{sink=\"webhook-1\",type=\"webhook\"} 1
# HELP v6sentinel_sink_failures_total Failed delivery attempts.
# TYPE v6sentinel_sink_failures_total counter
v6sentinel_sink_failures_total{sink=\"stdout\",type=\"stdout\"} 0
v6sentinel_sink_failures_total{sink=\"webhook-1\",type=\"webhook\"} 9
# HELP v6sentinel_sink_dropped_total Alerts the sink gave up on (queue or spool full).
# TYPE v6sentinel_sink_dropped_total counter
v6sentinel_sink_dropped_total{sink=\"stdout\",type=\"stdout\"} 0
v6sentinel_sink_dropped_total{sink=\"webhook-1\",type=\"webhook\"} 4
"
    );
}

#[test]
fn label_values_from_configuration_are_escaped() {
    let m = Metrics::new("1.0\"beta\\", 0);
    m.set_capture_up("we\"ird\\if\n", true);
    m.set_sinks(vec![SinkSample {
        name: "hook \"a\"\nb".into(),
        kind: "webhook".into(),
        ..SinkSample::default()
    }]);
    let out = m.render();
    assert!(
        out.contains("v6sentinel_build_info{version=\"1.0\\\"beta\\\\\"} 1\n"),
        "{out}"
    );
    assert!(
        out.contains("v6sentinel_capture_up{interface=\"we\\\"ird\\\\if\\n\"} 1\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "v6sentinel_sink_queue_depth{sink=\"hook \\\"a\\\"\\nb\",type=\"webhook\"} 0\n"
        ),
        "{out}"
    );
    // Escaping keeps one sample per line.
    for line in out.lines() {
        assert!(
            line.starts_with("# HELP v6sentinel_")
                || line.starts_with("# TYPE v6sentinel_")
                || line.starts_with("v6sentinel_"),
            "{line:?}"
        );
    }
}

#[test]
fn every_family_has_help_and_type_and_counters_end_in_total() {
    let m = Metrics::new("0.1.0", 0);
    m.heartbeat(1);
    m.set_capture_stats(
        "eth0",
        &CaptureStats {
            kernel_passed: Some(0),
            dropped_by_kernel: Some(0),
            ..CaptureStats::default()
        },
    );
    m.set_sinks(vec![SinkSample::default()]);
    let out = m.render();
    let mut families = 0;
    for line in out.lines().filter(|l| l.starts_with("# TYPE ")) {
        let words: Vec<&str> = line.split(' ').collect();
        let [_, _, name, kind] = words[..] else {
            panic!("{line}")
        };
        families += 1;
        assert!(out.contains(&format!("# HELP {name} ")), "{name}");
        match kind {
            "counter" => assert!(name.ends_with("_total"), "{name}"),
            "gauge" => assert!(!name.ends_with("_total"), "{name}"),
            _ => panic!("{line}"),
        }
    }
    assert_eq!(families, 25);
}

#[test]
fn updates_replace_totals_and_interfaces_can_go() {
    let m = Metrics::new("0.1.0", 0);
    let stats = |frames| Stats {
        frames,
        ..Stats::default()
    };
    m.set_detector_stats("eth0", &stats(10));
    m.set_detector_stats("eth0", &stats(3)); // a detector rebuilt: a counter reset
    assert!(
        m.render()
            .contains("v6sentinel_frames_total{interface=\"eth0\"} 3\n")
    );
    m.remove_interface("eth0");
    assert!(!m.render().contains("eth0"));
}

#[test]
fn health_needs_a_recent_heartbeat_and_every_capture_up() {
    let m = Metrics::new("0.1.0", 1000);
    // Before the first heartbeat, counted from the start.
    assert_eq!(m.health(1010, 30), Health::Healthy);
    assert_eq!(
        m.health(1031, 30),
        Health::Unhealthy("main loop has not run in 31 s since start".into())
    );
    m.heartbeat(1030);
    assert_eq!(m.health(1060, 30), Health::Healthy);
    assert_eq!(
        m.health(1061, 30),
        Health::Unhealthy("main loop last ran 31 s ago (limit 30 s)".into())
    );
    // A clock stepped back is not "silent".
    assert_eq!(m.health(900, 30), Health::Healthy);

    m.set_capture_up("eth1", false);
    m.set_capture_up("eth0", true);
    m.set_sources("wlan0", 0, 0, 0); // known, never up
    let h = m.health(1040, 30);
    assert_eq!(h, Health::Unhealthy("capture down on eth1, wlan0".into()));
    assert!(!h.is_healthy());
    assert_eq!(h.to_string(), "capture down on eth1, wlan0");
    assert_eq!(
        m.health(2000, 30).to_string(),
        "main loop last ran 970 s ago (limit 30 s); capture down on eth1, wlan0"
    );
    m.set_capture_up("eth1", true);
    m.remove_interface("wlan0");
    assert_eq!(m.health(1040, 30), Health::Healthy);
    assert_eq!(Health::Healthy.to_string(), "ok");
}

#[test]
fn shared_between_threads() {
    let m = std::sync::Arc::new(Metrics::new("0.1.0", 0));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let m = std::sync::Arc::clone(&m);
            std::thread::spawn(move || {
                for _ in 0..1000 {
                    m.alert("eth0", EventKind::Updated);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert!(
        m.render()
            .contains("v6sentinel_alerts_total{interface=\"eth0\",event=\"updated\"} 4000\n")
    );
}
