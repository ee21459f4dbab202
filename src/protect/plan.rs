//! The plan of changes: from the interface's addresses and routes and the provider table,
//! whether the interface carries the NGN upstream, and so what `protect` must pin before
//! it turns router discovery off. Pure: nothing here reads or changes the system.

use super::{Error, PinnedAddress, PinnedRoute};
use crate::rules::{Prefix, Rules};
use core::fmt;
use core::net::Ipv6Addr;

/// The metric of the default route `protect` pins on Linux: one below 1024, the metric
/// of the default routes the kernel learns from Router Advertisements, so the pinned
/// upstream also wins over a rogue router's route until that one expires.
pub const PIN_METRIC: u32 = 1023;

/// One IPv6 address on the interface, as `protect` needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedAddress {
    /// The address.
    pub addr: Ipv6Addr,
    /// Its prefix length.
    pub prefix_len: u8,
    /// Static: an infinite lifetime (Linux `IFA_F_PERMANENT`, Windows prefix origin
    /// `Manual`). A static address does not depend on Router Advertisements.
    pub permanent: bool,
    /// An RFC 8981 temporary (privacy) address.
    pub temporary: bool,
    /// Duplicate Address Detection found another host using it: the address is unusable.
    /// (One whose DAD is still running is pinned: it is about to be usable.)
    pub duplicate: bool,
    /// Seconds of valid lifetime left; `None` is infinite.
    pub valid_lifetime: Option<u32>,
    /// Seconds of preferred lifetime left; `None` is infinite.
    pub preferred_lifetime: Option<u32>,
    /// Platform flags kept when the lifetime is changed (Linux `IFA_F_*`; 0 elsewhere).
    pub flags: u32,
}

/// One IPv6 route out of the interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedRoute {
    /// The destination (`::/0` for a default route).
    pub destination: Prefix,
    /// The next hop.
    pub gateway: Option<Ipv6Addr>,
    /// The metric.
    pub metric: Option<u32>,
    /// Learned from a Router Advertisement or otherwise bound to run out; a static route
    /// is not.
    pub dynamic: bool,
}

/// The interface's IPv6 addresses and routes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observed {
    /// Addresses, in the system's order.
    pub addresses: Vec<ObservedAddress>,
    /// Routes, in the system's order.
    pub routes: Vec<ObservedRoute>,
}

impl Observed {
    /// The distinct gateways of the interface's default routes, in order.
    pub fn default_routers(&self) -> Vec<Ipv6Addr> {
        let mut out = Vec::new();
        for r in &self.routes {
            if let (0, Some(gw)) = (r.destination.len(), r.gateway) {
                if !out.contains(&gw) {
                    out.push(gw);
                }
            }
        }
        out
    }

    /// The address `addr`, if the interface has it.
    pub fn address(&self, addr: &Ipv6Addr) -> Option<&ObservedAddress> {
        self.addresses.iter().find(|a| a.addr == *addr)
    }

    /// Whether the interface has a static default route via `gateway` with `metric`
    /// (the one `protect` pinned).
    pub fn has_static_default(&self, gateway: &Ipv6Addr, metric: u32) -> bool {
        self.routes.iter().any(|r| {
            r.destination.len() == 0
                && r.gateway == Some(*gateway)
                && r.metric == Some(metric)
                && !r.dynamic
        })
    }
}

/// What `protect` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The interface.
    pub interface: String,
    /// `--keep-prefix`: the upstream's prefixes whose addresses are pinned.
    pub keep_prefixes: Vec<Prefix>,
    /// `--keep-router`: the upstream router the pinned default route goes through.
    pub keep_router: Option<Ipv6Addr>,
}

/// Something on the interface that belongs to a provider of the rules' table: the sign
/// that the interface carries the NGN upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    /// The provider's display name.
    pub provider: String,
    /// What lies in its prefixes.
    pub subject: Subject,
}

/// An address or a route of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// An address and its prefix length.
    Address(Ipv6Addr, u8),
    /// A route's destination.
    Route(Prefix),
}

impl Subject {
    /// The prefix to suggest to `--keep-prefix` for it: the address's own prefix, or the
    /// route's destination (`None` only for a prefix length past 128).
    pub fn prefix(&self) -> Option<Prefix> {
        match *self {
            Subject::Address(a, len) => Prefix::new(a, len),
            Subject::Route(p) => Some(p),
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Address(a, len) => write!(f, "{a}/{len}"),
            Subject::Route(p) => write!(f, "{p}"),
        }
    }
}

/// Something worth saying about the plan that changes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// The interface carries the upstream, and `--keep-prefix` covers it.
    UpstreamKept(Upstream),
    /// An address inside `--keep-prefix` is already static: left as it is.
    AlreadyStatic(Ipv6Addr, u8),
    /// A temporary address inside `--keep-prefix` is left to run out.
    TemporaryLeft(Ipv6Addr, u8),
    /// An address inside `--keep-prefix` failed Duplicate Address Detection: left alone.
    DuplicateLeft(Ipv6Addr, u8),
    /// There is no default route on the interface to pin.
    NoDefaultRoute,
    /// A static default route via the router exists already: left as it is.
    RouteAlreadyStatic(Ipv6Addr),
    /// `--keep-router` is not a default router of the interface now.
    RouterNotSeen(Ipv6Addr),
}

/// What `protect` will do, besides turning router discovery off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Addresses to make static.
    pub pin_addresses: Vec<PinnedAddress>,
    /// The default route to add.
    pub pin_route: Option<PinnedRoute>,
    /// What to tell the user.
    pub notes: Vec<Note>,
}

/// Everything on the interface inside a provider prefix of `rules`: global addresses,
/// then routes other than the default route.
pub fn upstream(observed: &Observed, rules: &Rules) -> Vec<Upstream> {
    let addresses = observed.addresses.iter().filter_map(|a| {
        let p = rules.provider_of_addr(&a.addr)?;
        Some(Upstream {
            provider: p.name.clone(),
            subject: Subject::Address(a.addr, a.prefix_len),
        })
    });
    let routes = observed.routes.iter().filter_map(|r| {
        if r.destination.len() == 0 {
            return None;
        }
        let p = rules.provider_of(&r.destination)?;
        Some(Upstream {
            provider: p.name.clone(),
            subject: Subject::Route(r.destination),
        })
    });
    let mut out: Vec<Upstream> = Vec::new();
    for u in addresses.chain(routes) {
        if !out.contains(&u) {
            out.push(u);
        }
    }
    out
}

/// Decides what to pin (see the module documentation), or refuses:
/// - the interface carries the upstream and no `--keep-prefix` was given;
/// - something of the upstream lies outside every `--keep-prefix`;
/// - no address of the interface lies in `--keep-prefix`;
/// - there are several default routers and no `--keep-router`.
///
/// A pinned default route gets `metric` ([`System::pin_metric`](super::System::pin_metric)).
pub fn plan(req: &Request, observed: &Observed, rules: &Rules, metric: u32) -> Result<Plan, Error> {
    let interface = &req.interface;
    let found = upstream(observed, rules);
    let mut plan = Plan::default();
    if req.keep_prefixes.is_empty() {
        if let Some(first) = found.into_iter().next() {
            return Err(Error::Upstream {
                interface: interface.clone(),
                found: first,
            });
        }
        return Ok(plan);
    }
    let kept = |a: &Ipv6Addr| req.keep_prefixes.iter().any(|p| p.contains_addr(a));
    for u in found {
        let covered = match u.subject {
            Subject::Address(a, _) => kept(&a),
            Subject::Route(r) => req.keep_prefixes.iter().any(|p| p.contains(&r)),
        };
        if !covered {
            return Err(Error::NotCovered {
                interface: interface.clone(),
                found: u,
            });
        }
        plan.notes.push(Note::UpstreamKept(u));
    }
    let mut any = false;
    for a in &observed.addresses {
        if a.addr.is_unicast_link_local() || a.addr.is_multicast() || !kept(&a.addr) {
            continue;
        }
        any = true;
        if a.permanent {
            plan.notes.push(Note::AlreadyStatic(a.addr, a.prefix_len));
        } else if a.temporary {
            plan.notes.push(Note::TemporaryLeft(a.addr, a.prefix_len));
        } else if a.duplicate {
            plan.notes.push(Note::DuplicateLeft(a.addr, a.prefix_len));
        } else {
            plan.pin_addresses.push(PinnedAddress {
                address: a.addr,
                prefix_len: a.prefix_len,
                valid_lifetime_s: a.valid_lifetime,
                preferred_lifetime_s: a.preferred_lifetime,
                flags: a.flags,
            });
        }
    }
    if !any {
        return Err(Error::NothingToKeep {
            interface: interface.clone(),
            prefixes: req.keep_prefixes.clone(),
        });
    }
    let routers = observed.default_routers();
    let router = match (req.keep_router, routers.as_slice()) {
        (Some(r), _) => {
            if !routers.contains(&r) {
                plan.notes.push(Note::RouterNotSeen(r));
            }
            Some(r)
        }
        (None, []) => {
            plan.notes.push(Note::NoDefaultRoute);
            None
        }
        (None, [one]) => Some(*one),
        (None, _) => {
            return Err(Error::SeveralRouters {
                interface: interface.clone(),
                gateways: routers,
            });
        }
    };
    if let Some(gateway) = router {
        let is_static = observed
            .routes
            .iter()
            .any(|r| r.destination.len() == 0 && r.gateway == Some(gateway) && !r.dynamic);
        if is_static {
            plan.notes.push(Note::RouteAlreadyStatic(gateway));
        } else {
            plan.pin_route = Some(PinnedRoute { gateway, metric });
        }
    }
    Ok(plan)
}
