//! The vocabulary of findings: effects, severities, fingerprints, roles (DESIGN.md,
//! "Detection model"). Codes are stable: they appear in JSON and rule files.

use core::fmt;

macro_rules! codes {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($(#[$vm])* $variant),+ }
        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stable code.
            pub const fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

codes! {
    /// What a non-expected source does to the terminal.
    Effect {
        /// A Prefix Information option with A=1 and a valid lifetime: the terminal forms
        /// an address.
        SlaacAddress = "slaac_address",
        /// DHCPv6 Advertise/Reply with IA_NA or IA_TA addresses.
        Dhcpv6Address = "dhcpv6_address",
        /// Router lifetime > 0: the terminal gets a default route.
        DefaultRoute = "default_route",
        /// A Route Information option.
        Route = "route",
        /// RDNSS/DNSSL, or DHCPv6 DNS servers / domains.
        Dns = "dns",
        /// M or O flag: the terminal will ask DHCPv6.
        Dhcpv6Trigger = "dhcpv6_trigger",
        /// DHCPv6 IA_PD.
        PrefixDelegation = "prefix_delegation",
        /// A prefix another router also advertises (an ND proxy).
        DuplicatePrefix = "duplicate_prefix",
        /// Preferred lifetime 0 for a prefix another router advertises.
        DeprecatesPrefix = "deprecates_prefix",
        /// RA or DHCPv6 behind extension headers, in fragments (overlapping ones read both
        /// ways) or inside IPv6-in-IPv6 (RA-Guard evasion).
        HiddenRa = "hidden_ra",
        /// More distinct RA sources than the flood threshold.
        Flood = "flood",
    }
}

codes! {
    /// How bad a source is for the terminal.
    Severity {
        /// Expected, or changes nothing.
        Info = "info",
        /// Changes something on the terminal, but not its address or default route.
        Warning = "warning",
        /// Network error 011 is likely.
        Critical = "critical",
    }
}

codes! {
    /// The report's verdict: the worst severity among sources (info counts as ok).
    Verdict {
        /// Nothing hands the terminal IPv6 configuration it should not have.
        Ok = "ok",
        /// Something changes the terminal's DNS or routes.
        Warning = "warning",
        /// Network error 011 is likely.
        Critical = "critical",
    }
}

impl Verdict {
    /// The monitoring-plugin exit code: 0, 1 or 2.
    pub const fn exit_code(&self) -> u8 {
        match self {
            Verdict::Ok => 0,
            Verdict::Warning => 1,
            Verdict::Critical => 2,
        }
    }
}

impl From<Severity> for Verdict {
    fn from(s: Severity) -> Verdict {
        match s {
            Severity::Info => Verdict::Ok,
            Severity::Warning => Verdict::Warning,
            Severity::Critical => Verdict::Critical,
        }
    }
}

codes! {
    /// A behaviour fingerprint; works with randomized MACs too.
    Fingerprint {
        /// A Thread border router (Apple TV, HomePod, Nest Hub, Echo): stub-router or
        /// SNAC flag, or router lifetime 0 with ULA routes or prefixes.
        ThreadBorderRouter = "thread_border_router",
        /// An ND proxy: the P flag, or a prefix another router advertises.
        NdProxy = "nd_proxy",
        /// A home router: a default route with RDNSS or the O flag.
        HomeRouter = "home_router",
        /// A DHCPv6 server.
        Dhcpv6Server = "dhcpv6_server",
    }
}

codes! {
    /// What a source does on the link.
    Role {
        /// Sends Router Advertisements.
        Router = "router",
        /// Answers DHCPv6.
        Dhcpv6Server = "dhcpv6_server",
    }
}

/// A small set of [`Effect`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Effects(u16);

impl Effects {
    /// The empty set.
    pub const NONE: Effects = Effects(0);

    /// Adds an effect.
    pub fn insert(&mut self, e: Effect) {
        self.0 |= 1 << (e as u16);
    }

    /// Takes an effect out.
    pub fn remove(&mut self, e: Effect) {
        self.0 &= !(1 << (e as u16));
    }

    /// Whether it holds `e`.
    pub fn contains(&self, e: Effect) -> bool {
        self.0 & (1 << (e as u16)) != 0
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    /// The effects, in their declared order.
    pub fn iter(&self) -> impl Iterator<Item = Effect> + '_ {
        Effect::ALL.iter().copied().filter(|e| self.contains(*e))
    }

    /// The severity these effects give a non-expected source.
    pub fn severity(&self) -> Severity {
        use Effect::*;
        if [
            SlaacAddress,
            Dhcpv6Address,
            DefaultRoute,
            DuplicatePrefix,
            DeprecatesPrefix,
            Flood,
        ]
        .iter()
        .any(|e| self.contains(*e))
        {
            Severity::Critical
        } else if self.is_empty() {
            Severity::Info
        } else {
            Severity::Warning
        }
    }
}

impl FromIterator<Effect> for Effects {
    fn from_iter<I: IntoIterator<Item = Effect>>(iter: I) -> Self {
        let mut s = Effects::NONE;
        for e in iter {
            s.insert(e);
        }
        s
    }
}
