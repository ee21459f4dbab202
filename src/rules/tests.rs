use super::*;
use crate::oui::Registry;

fn mac(s: &str) -> Mac {
    s.parse().unwrap()
}

fn prefix(s: &str) -> Prefix {
    s.parse().unwrap()
}

/// The ids of the offenders a MAC resolves to through the embedded registry.
fn offenders_of(m: &str) -> Vec<&'static str> {
    let m = mac(m);
    let vendor = Registry::embedded().lookup(m).map(|v| v.name);
    Rules::embedded()
        .offenders_for(vendor, m)
        .map(|o| o.id.as_str())
        .collect()
}

#[test]
fn embedded_rules_parse() {
    let rules = Rules::parse_embedded().unwrap();
    assert_eq!(&rules, Rules::embedded());
    assert_eq!(rules.offenders.len(), 10);
    assert!(rules.providers.len() >= 7);
    assert_eq!(rules.dns.len(), 4);
    for o in &rules.offenders {
        assert!(o.source.contains("工事前確認事項"), "{}", o.id);
        assert!(!o.models.is_empty(), "{}", o.id);
    }
    for code in RemedyCode::ALL {
        let t = rules.remedy(code);
        assert!(!t.ja.is_empty() && !t.en.is_empty(), "{code}");
    }
    assert!(
        rules
            .remedy(RemedyCode::DisableIpv6)
            .ja
            .contains("対処方法１")
    );
    assert!(
        rules
            .remedy(RemedyCode::SeparateLine)
            .ja
            .contains("対処方法２")
    );
    assert!(rules.contact().ja.contains("0800-080-4583"));
    assert!(rules.contact().en.contains("0800-080-4583"));
    assert_eq!(rules.contact().for_lang("ja_JP.UTF-8"), rules.contact().ja);
    assert_eq!(rules.contact().for_lang("C"), rules.contact().en);
}

#[test]
fn remedies_and_categories_from_the_seed() {
    let rules = Rules::embedded();
    let remedy = |id: &str| rules.offender(id).unwrap().remedy;
    for id in [
        "buffalo-wifi-router",
        "nec-aterm-wifi-router",
        "tplink-wifi-router",
        "iodata-wifi-router",
        "elecom-wifi-router",
    ] {
        assert_eq!(remedy(id), RemedyCode::DisableIpv6, "{id}");
        assert_eq!(rules.offender(id).unwrap().category, Category::WifiRouter);
    }
    for id in ["apple-tv", "google-nest-hub", "amazon-echo"] {
        assert_eq!(remedy(id), RemedyCode::SeparateLine, "{id}");
    }
    for id in ["saxa-utm", "nec-univerge-utm"] {
        assert_eq!(remedy(id), RemedyCode::Unknown, "{id}");
        assert_eq!(rules.offender(id).unwrap().category, Category::Utm);
    }
}

#[test]
fn vendors_resolve_to_offenders() {
    assert_eq!(offenders_of("10:6f:3f:aa:bb:cc"), ["buffalo-wifi-router"]);
    // TP-Link: the old name and both spellings of the new one.
    assert_eq!(offenders_of("00:0a:eb:00:00:01"), ["tplink-wifi-router"]);
    assert_eq!(offenders_of("00:31:92:00:00:01"), ["tplink-wifi-router"]);
    assert_eq!(offenders_of("04:0f:66:00:00:01"), ["tplink-wifi-router"]);
    // Elecom: every spelling.
    for m in [
        "04:ab:18:00:00:01",
        "48:04:9f:00:00:01",
        "48:f7:3c:00:00:01",
        "00:90:fe:00:00:01",
        "00:0f:95:00:00:01",
    ] {
        assert_eq!(offenders_of(m), ["elecom-wifi-router"], "{m}");
    }
    assert_eq!(offenders_of("00:a0:b0:00:00:01"), ["iodata-wifi-router"]);
    assert_eq!(offenders_of("00:03:93:00:00:01"), ["apple-tv"]);
    assert_eq!(offenders_of("f4:f5:d8:00:00:01"), ["google-nest-hub"]);
    assert_eq!(offenders_of("18:b4:30:00:00:01"), ["google-nest-hub"]);
    assert_eq!(offenders_of("0c:47:c9:00:00:01"), ["amazon-echo"]);
    assert_eq!(offenders_of("5c:41:5a:00:00:01"), ["amazon-echo"]);
    assert_eq!(offenders_of("00:02:2b:00:00:01"), ["saxa-utm"]);
    // NEC Platforms makes both: every match, in file order.
    assert_eq!(
        offenders_of("1c:b1:7f:00:00:01"),
        ["nec-aterm-wifi-router", "nec-univerge-utm"]
    );
    assert_eq!(
        offenders_of("00:60:b9:00:00:01"),
        ["nec-aterm-wifi-router", "nec-univerge-utm"]
    );
    assert_eq!(offenders_of("00:00:4c:00:00:01"), ["nec-univerge-utm"]);
    // A randomized MAC and an unrelated vendor.
    assert!(offenders_of("12:6f:3f:aa:bb:cc").is_empty());
    assert!(offenders_of("00:00:00:00:00:01").is_empty());
}

/// Every vendor name of every offender the current registry holds resolves to that
/// offender; each offender has at least one name the registry holds.
#[test]
fn every_registry_name_resolves() {
    let rules = Rules::embedded();
    for o in &rules.offenders {
        let mut found = 0;
        for name in &o.vendors {
            if let Some(v) = Registry::embedded().iter().find(|v| v.name == name) {
                let m = Mac(
                    (v.prefix.value() << (48 - u32::from(v.prefix.bits()))).to_be_bytes()[2..]
                        .try_into()
                        .unwrap(),
                );
                assert_eq!(Registry::embedded().lookup(m).unwrap().name, name);
                let vendor = Some(v.name);
                assert!(
                    rules.offenders_for(vendor, m).any(|x| x.id == o.id),
                    "{name} ({m}) does not resolve to {}",
                    o.id
                );
                found += 1;
            }
        }
        assert!(found > 0, "{}: no vendor name is in the registry", o.id);
    }
}

#[test]
fn explicit_ouis_match() {
    let rules = Rules::from_texts(
        "[[offender]]\nid = \"x\"\nname = \"X\"\nouis = [\"70:b3:d5:12:3/36\"]\n\
         models = []\ncategory = \"utm\"\nremedy = \"unknown\"\nsource = \"test\"\n",
        EMBEDDED_PROVIDERS,
        EMBEDDED_REMEDIES,
    )
    .unwrap();
    assert_eq!(
        rules.offenders_for(None, mac("70:b3:d5:12:3f:00")).count(),
        1
    );
    assert_eq!(
        rules.offenders_for(None, mac("70:b3:d5:12:4f:00")).count(),
        0
    );
}

#[test]
fn providers_are_recognised() {
    let rules = Rules::embedded();
    let id = |p: &str| rules.provider_of(&prefix(p)).map(|p| p.id.as_str());
    assert_eq!(id("2001:c90:1234:5678::/64"), Some("ntt-east"));
    assert_eq!(id("2404:1a8:ff00::/40"), Some("ntt-east"));
    assert_eq!(id("2408:210:abcd:ef00::/56"), Some("ntt-east"));
    assert_eq!(id("2001:d72:1::/48"), Some("ntt-west"));
    assert_eq!(id("2001:a7ff:5f01::/48"), Some("ntt-west"));
    assert_eq!(id("240b:11:b901:1800::/56"), Some("jpne-v6plus"));
    assert_eq!(id("2400:4151:1234:5600::/56"), Some("ocn-virtual-connect"));
    assert_eq!(id("2409:251:1234:5600::/56"), Some("transix"));
    assert_eq!(id("2404:7a84:1:2::/64"), Some("biglobe-ipv6-option"));
    // Not inside: wider than the provider's block, documentation, ULA, other ISPs.
    assert_eq!(id("2408::/16"), None);
    assert_eq!(id("2001:db8::/64"), None);
    assert_eq!(id("fd00:1:2:3::/64"), None);
    assert_eq!(id("2409:300::/64"), None);
    let east = "2404:1a8:7f01:a::3".parse().unwrap();
    assert_eq!(rules.dns_server(&east).unwrap().provider, "ntt-east");
    assert_eq!(rules.provider_of_addr(&east).unwrap().id, "ntt-east");
    let west = "2001:a7ff:5f01:1::a".parse().unwrap();
    assert_eq!(rules.dns_server(&west).unwrap().provider, "ntt-west");
    assert_eq!(rules.provider_of_addr(&west).unwrap().id, "ntt-west");
    // Every DNS server lies in its own provider's prefixes.
    for d in &rules.dns {
        assert_eq!(
            rules.provider_of_addr(&d.address).map(|p| &p.id),
            Some(&d.provider)
        );
    }
    // No two providers overlap: the first match is the only one.
    for a in &rules.providers {
        for b in &rules.providers {
            if a.id != b.id {
                for pa in &a.prefixes {
                    for pb in &b.prefixes {
                        assert!(!pa.contains(pb) && !pb.contains(pa), "{pa} / {pb}");
                    }
                }
            }
        }
    }
}

#[test]
fn codes_round_trip() {
    for c in RemedyCode::ALL {
        assert_eq!(c.as_str().parse::<RemedyCode>(), Ok(c));
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            format!("\"{}\"", c.as_str())
        );
    }
    for c in Category::ALL {
        assert_eq!(c.to_string().parse::<Category>(), Ok(c));
    }
    assert_eq!(RemedyCode::DisableIpv6.as_str(), "disable_ipv6");
    assert!("Disable_IPv6".parse::<RemedyCode>().is_err());
}

// ------------------------------------------------------------------------- errors

const OFFENDER: &str = r#"[[offender]]
id = "buffalo"
name = "Buffalo"
vendors = ["BUFFALO.INC"]
models = ["WSR-1800AX4"]
category = "wifi_router"
remedy = "disable_ipv6"
source = "seed"
"#;

/// The error of parsing `offenders` with the embedded providers and remedies.
fn offenders_error(offenders: &str) -> String {
    Rules::from_texts(offenders, EMBEDDED_PROVIDERS, EMBEDDED_REMEDIES)
        .unwrap_err()
        .to_string()
}

fn providers_error(providers: &str) -> String {
    Rules::from_texts(EMBEDDED_OFFENDERS, providers, EMBEDDED_REMEDIES)
        .unwrap_err()
        .to_string()
}

fn remedies_error(remedies: &str) -> String {
    Rules::from_texts(EMBEDDED_OFFENDERS, EMBEDDED_PROVIDERS, remedies)
        .unwrap_err()
        .to_string()
}

fn assert_starts(got: &str, prefix: &str) {
    assert!(got.starts_with(prefix), "got {got:?}, want {prefix:?}...");
    assert!(!got.contains('\n'), "more than one line: {got:?}");
}

#[test]
fn the_fixture_is_valid() {
    Rules::from_texts(OFFENDER, EMBEDDED_PROVIDERS, EMBEDDED_REMEDIES).unwrap();
}

#[test]
fn toml_syntax_error() {
    let bad = OFFENDER.replace("name = \"Buffalo\"", "name = \"Buffalo");
    let e = offenders_error(&bad);
    assert_starts(&e, "offenders.toml:3:");
    // A key without a value.
    let bad = OFFENDER.replace("models = [\"WSR-1800AX4\"]", "models =");
    assert_starts(&offenders_error(&bad), "offenders.toml:5:");
}

#[test]
fn unknown_remedy() {
    let bad = OFFENDER.replace("\"disable_ipv6\"", "\"disable_v6\"");
    assert_eq!(
        offenders_error(&bad),
        "offenders.toml:7:10: unknown remedy `disable_v6` (expected one of disable_ipv6, \
         separate_line, unknown, none)"
    );
}

#[test]
fn unknown_category() {
    let bad = OFFENDER.replace("\"wifi_router\"", "\"router\"");
    assert_eq!(
        offenders_error(&bad),
        "offenders.toml:6:12: unknown category `router` (expected one of wifi_router, \
         media_player, smart_display, smart_speaker, utm)"
    );
}

#[test]
fn duplicate_id() {
    let bad = format!("{OFFENDER}\n{OFFENDER}");
    assert_eq!(
        offenders_error(&bad),
        "offenders.toml:11:6: duplicate offender id `buffalo` (first used on line 2)"
    );
}

#[test]
fn empty_vendors_and_ouis() {
    let bad = OFFENDER.replace("[\"BUFFALO.INC\"]", "[]");
    assert_eq!(
        offenders_error(&bad),
        "offenders.toml:4:11: offender `buffalo` needs at least one entry in `vendors` or `ouis`"
    );
    let bad = OFFENDER.replace("vendors = [\"BUFFALO.INC\"]\n", "");
    assert_eq!(
        offenders_error(&bad),
        "offenders.toml:2:6: offender `buffalo` needs at least one entry in `vendors` or `ouis`"
    );
    let bad = OFFENDER.replace("[\"BUFFALO.INC\"]", "[\"BUFFALO.INC\", \" .,\"]");
    assert_eq!(
        offenders_error(&bad),
        "offenders.toml:4:27: vendor name ` .,` has no letters or digits to match on"
    );
}

#[test]
fn bad_oui() {
    let bad = OFFENDER.replace("models", "ouis = [\"10:6f:3g\"]\nmodels");
    assert_starts(
        &offenders_error(&bad),
        "offenders.toml:5:9: bad OUI `10:6f:3g`: ",
    );
}

#[test]
fn bad_id_missing_field_and_unknown_field() {
    let bad = OFFENDER.replace("\"buffalo\"", "\"Buffalo Routers\"");
    assert_starts(
        &offenders_error(&bad),
        "offenders.toml:2:6: offender id `Buffalo Routers` must be",
    );
    let bad = OFFENDER.replace("source = \"seed\"\n", "");
    let e = offenders_error(&bad);
    assert_starts(&e, "offenders.toml:1:");
    assert!(e.contains("missing field `source`"), "{e}");
    let bad = OFFENDER.replace("models", "vendor = \"x\"\nmodels");
    let e = offenders_error(&bad);
    assert_starts(&e, "offenders.toml:5:1: unknown field `vendor`");
    let bad = OFFENDER.replace("name = \"Buffalo\"", "name = \"  \"");
    assert_eq!(
        offenders_error(&bad),
        "offenders.toml:3:8: name must not be empty"
    );
}

const PROVIDER: &str = r#"[[provider]]
id = "ntt-east"
name = "NTT East"
prefixes = ["2001:c90::/32", "2404:1a8::/32"]
source = "x"

[[dns]]
provider = "ntt-east"
address = "2404:1a8:7f01:a::3"
source = "y"
"#;

#[test]
fn bad_prefix() {
    Rules::from_texts(EMBEDDED_OFFENDERS, PROVIDER, EMBEDDED_REMEDIES).unwrap();
    let bad = PROVIDER.replace("2404:1a8::/32", "2404:1a8::");
    assert_eq!(
        providers_error(&bad),
        "providers.toml:4:30: bad prefix `2404:1a8::`: missing the prefix length: expected \
         ADDR/LEN, e.g. 2001:c90::/32"
    );
    let bad = PROVIDER.replace("2001:c90::/32", "2001:c90::1/32");
    assert_eq!(
        providers_error(&bad),
        "providers.toml:4:13: bad prefix `2001:c90::1/32`: host bits are set after the prefix \
         length; did you mean 2001:c90::/32?"
    );
    let bad = PROVIDER.replace("2001:c90::/32", "2001:c90::/200");
    assert_starts(
        &providers_error(&bad),
        "providers.toml:4:13: bad prefix `2001:c90::/200`: ",
    );
    let bad = PROVIDER.replace("[\"2001:c90::/32\", \"2404:1a8::/32\"]", "[]");
    assert_eq!(
        providers_error(&bad),
        "providers.toml:4:12: provider `ntt-east` needs at least one prefix"
    );
}

#[test]
fn bad_dns() {
    let bad = PROVIDER.replace("provider = \"ntt-east\"", "provider = \"ntt-west\"");
    assert_eq!(
        providers_error(&bad),
        "providers.toml:8:12: unknown provider `ntt-west` (no [[provider]] has that id)"
    );
    let bad = PROVIDER.replace("2404:1a8:7f01:a::3", "2404:1a8:7f01:a::3::");
    assert_eq!(
        providers_error(&bad),
        "providers.toml:9:11: `2404:1a8:7f01:a::3::` is not an IPv6 address"
    );
}

#[test]
fn bad_remedies() {
    let bad = EMBEDDED_REMEDIES.replace("[remedy.none]", "[remedy.nothing]");
    let line = EMBEDDED_REMEDIES
        .lines()
        .position(|l| l == "[remedy.none]")
        .unwrap()
        + 1;
    assert_starts(
        &remedies_error(&bad),
        &format!("remedies.toml:{line}:9: unknown field `nothing`"),
    );
    let bad = EMBEDDED_REMEDIES.replace("en = \"No action needed.\"", "en = \"\"");
    let line = EMBEDDED_REMEDIES
        .lines()
        .position(|l| l == "en = \"No action needed.\"")
        .unwrap()
        + 1;
    assert_eq!(
        remedies_error(&bad),
        format!("remedies.toml:{line}:6: en must not be empty")
    );
    let bad = "[remedy.disable_ipv6]\nja = \"a\"\nen = \"b\"\n";
    assert_eq!(
        remedies_error(bad),
        "remedies.toml:1:2: missing field `separate_line`"
    );
}

/// A scratch directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("v6sentinel-rules-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn load_dir_falls_back_per_file() {
    let dir = TempDir::new("fallback");
    std::fs::write(dir.0.join("offenders.toml"), OFFENDER).unwrap();
    let rules = Rules::load_dir(&dir.0).unwrap();
    assert_eq!(rules.offenders.len(), 1);
    assert_eq!(rules.providers, Rules::embedded().providers);
    assert_eq!(rules.remedies, Rules::embedded().remedies);
    assert_eq!(Rules::check_dir(&dir.0).unwrap(), rules);

    // An empty directory loads the embedded rules, but does not pass a check.
    let empty = TempDir::new("empty");
    assert_eq!(&Rules::load_dir(&empty.0).unwrap(), Rules::embedded());
    let e = Rules::check_dir(&empty.0).unwrap_err();
    assert_eq!(e.line, 0);
    assert_eq!(
        e.to_string(),
        format!(
            "{}: no rule files here (expected offenders.toml, providers.toml, remedies.toml)",
            empty.0.display()
        )
    );
    let missing = empty.0.join("nope");
    assert!(
        Rules::load_dir(&missing)
            .unwrap_err()
            .to_string()
            .contains("cannot read")
    );
    let file = dir.0.join("offenders.toml");
    assert_eq!(
        Rules::load_dir(&file).unwrap_err().to_string(),
        format!("{}: not a directory", file.display())
    );
}

#[test]
fn load_dir_errors_name_the_file() {
    let dir = TempDir::new("errors");
    let bad = OFFENDER.replace("\"disable_ipv6\"", "\"reboot\"");
    std::fs::write(dir.0.join("offenders.toml"), bad).unwrap();
    let e = Rules::check_dir(&dir.0).unwrap_err();
    assert_eq!(e.file, dir.0.join("offenders.toml"));
    assert_eq!((e.line, e.column), (7, 10));
    assert_starts(
        &e.to_string(),
        &format!(
            "{}:7:10: unknown remedy `reboot`",
            dir.0.join("offenders.toml").display()
        ),
    );
    std::fs::write(dir.0.join("offenders.toml"), OFFENDER).unwrap();
    std::fs::write(dir.0.join("providers.toml"), "[[provider]\n").unwrap();
    let e = Rules::load_dir(&dir.0).unwrap_err();
    assert_starts(
        &e.to_string(),
        &format!("{}:1:", dir.0.join("providers.toml").display()),
    );
}
