//! Per-client rate limit for ingest: a token bucket per client address.
//!
//! Each client may make `burst` requests at once, refilled at `per_second`
//! requests per second. IPv6 clients are keyed by their /64 network, since one
//! host usually owns a whole /64 and could otherwise rotate addresses. Time
//! comes in as a value, so the rules are tested without a clock.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Instant;

/// The limit's numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Sustained requests per second per client.
    pub per_second: f64,
    /// Requests a client may make at once after being idle.
    pub burst: f64,
}

impl RateLimit {
    /// The default: 50 requests per second, bursts of 200. The widget sends
    /// a batch every few seconds at most, so this only stops floods; with up
    /// to 1,000 events per batch it still admits 50,000 events/s per client.
    pub const DEFAULT: RateLimit = RateLimit {
        per_second: 50.0,
        burst: 200.0,
    };

    /// The default byte budget: 1 MiB per second, 16 MiB at once. A widget
    /// sends a few KiB every few seconds; this stops one client from filling
    /// the disk (475 MB in 20 s at the request limit alone).
    pub const DEFAULT_BYTES: RateLimit = RateLimit {
        per_second: 1_048_576.0,
        burst: 16_777_216.0,
    };
}

/// The verdict on one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allow,
    /// Refuse; the client may retry after this many whole seconds.
    Deny {
        /// Seconds until a request would be allowed (at least 1).
        retry_after: u64,
    },
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Buckets for all clients seen recently.
#[derive(Debug)]
pub struct Limiter {
    limit: RateLimit,
    buckets: HashMap<IpAddr, Bucket>,
}

/// Above this many tracked clients, buckets that are full again are dropped.
const PRUNE_ABOVE: usize = 10_000;

fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

impl Limiter {
    /// A limiter with these numbers.
    pub fn new(limit: RateLimit) -> Limiter {
        Limiter {
            limit,
            buckets: HashMap::new(),
        }
    }

    fn refill(&self, b: &mut Bucket, now: Instant) {
        let elapsed = now.saturating_duration_since(b.updated).as_secs_f64();
        b.tokens = (b.tokens + elapsed * self.limit.per_second).min(self.limit.burst);
        b.updated = now;
    }

    /// Takes one request's token from the client's bucket.
    pub fn check(&mut self, ip: IpAddr, now: Instant) -> Decision {
        self.check_cost(ip, now, 1.0)
    }

    /// Takes `cost` tokens (e.g. bytes) from the client's bucket, if it
    /// holds them all.
    pub fn check_cost(&mut self, ip: IpAddr, now: Instant, cost: f64) -> Decision {
        if self.buckets.len() > PRUNE_ABOVE {
            self.prune(now);
        }
        let limit = self.limit;
        let mut bucket = *self.buckets.entry(client_key(ip)).or_insert(Bucket {
            tokens: limit.burst,
            updated: now,
        });
        self.refill(&mut bucket, now);
        let cost = cost.min(limit.burst);
        let decision = if bucket.tokens >= cost {
            bucket.tokens -= cost;
            Decision::Allow
        } else {
            let wait = (cost - bucket.tokens) / limit.per_second;
            Decision::Deny {
                retry_after: (wait.ceil() as u64).max(1),
            }
        };
        self.buckets.insert(client_key(ip), bucket);
        decision
    }

    /// Whether the client's bucket holds a token, without taking it.
    pub fn peek(&mut self, ip: IpAddr, now: Instant) -> Decision {
        let limit = self.limit;
        let Some(mut bucket) = self.buckets.get(&client_key(ip)).copied() else {
            return Decision::Allow;
        };
        self.refill(&mut bucket, now);
        if bucket.tokens >= 1.0 {
            Decision::Allow
        } else {
            let wait = (1.0 - bucket.tokens) / limit.per_second;
            Decision::Deny {
                retry_after: (wait.ceil() as u64).max(1),
            }
        }
    }

    fn prune(&mut self, now: Instant) {
        let limit = self.limit;
        self.buckets.retain(|_, b| {
            let elapsed = now.saturating_duration_since(b.updated).as_secs_f64();
            b.tokens + elapsed * limit.per_second < limit.burst
        });
    }

    /// How many clients are tracked.
    pub fn tracked(&self) -> usize {
        self.buckets.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const LIMIT: RateLimit = RateLimit {
        per_second: 2.0,
        burst: 3.0,
    };

    #[test]
    fn burst_then_refill() {
        let mut l = Limiter::new(LIMIT);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(l.check(ip, t0), Decision::Allow);
        }
        assert_eq!(l.check(ip, t0), Decision::Deny { retry_after: 1 });
        // Half a second refills one request at 2/s.
        assert_eq!(
            l.check(ip, t0 + Duration::from_millis(500)),
            Decision::Allow
        );
        assert!(matches!(
            l.check(ip, t0 + Duration::from_millis(500)),
            Decision::Deny { .. }
        ));
        // Never more than the burst, however long the pause.
        let later = t0 + Duration::from_secs(3600);
        for _ in 0..3 {
            assert_eq!(l.check(ip, later), Decision::Allow);
        }
        assert!(matches!(l.check(ip, later), Decision::Deny { .. }));
    }

    #[test]
    fn clients_are_independent_and_v6_is_keyed_by_64() {
        let mut l = Limiter::new(LIMIT);
        let t0 = Instant::now();
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2::ffff".parse().unwrap();
        let c: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(l.check(a, t0), Decision::Allow);
        }
        assert!(matches!(l.check(b, t0), Decision::Deny { .. }));
        assert_eq!(l.check(c, t0), Decision::Allow);
    }

    #[test]
    fn slow_refill_gives_a_longer_retry_after() {
        let mut l = Limiter::new(RateLimit {
            per_second: 0.1,
            burst: 1.0,
        });
        let ip: IpAddr = "10.0.0.3".parse().unwrap();
        let t0 = Instant::now();
        assert_eq!(l.check(ip, t0), Decision::Allow);
        assert_eq!(l.check(ip, t0), Decision::Deny { retry_after: 10 });
    }

    #[test]
    fn costs_are_taken_in_bulk() {
        let mut l = Limiter::new(RateLimit {
            per_second: 1000.0,
            burst: 3000.0,
        });
        let ip: IpAddr = "10.0.0.4".parse().unwrap();
        let t0 = Instant::now();
        assert_eq!(l.check_cost(ip, t0, 2500.0), Decision::Allow);
        // 500 left: a 1,500 byte body waits one second.
        assert_eq!(
            l.check_cost(ip, t0, 1500.0),
            Decision::Deny { retry_after: 1 }
        );
        assert_eq!(l.check_cost(ip, t0, 500.0), Decision::Allow);
    }

    #[test]
    fn prunes_full_buckets() {
        let mut l = Limiter::new(LIMIT);
        let t0 = Instant::now();
        for i in 0..=PRUNE_ABOVE as u32 {
            l.check(IpAddr::V4(i.into()), t0);
        }
        assert_eq!(l.tracked(), PRUNE_ABOVE + 1);
        // Ten seconds on, every bucket is full again and is dropped.
        l.check("192.0.2.1".parse().unwrap(), t0 + Duration::from_secs(10));
        assert_eq!(l.tracked(), 1);
    }
}
