//! `allowedOrigins` entries (`check_origin`): exactly an origin as browsers
//! report it. These pin the IPv6 rules that mutation testing (`make
//! mutants`) found untested; the rest are in tests/bridge.rs and
//! tests/link.rs.
//!
//! | mutation | killed by |
//! |---|---|
//! | the port split ignores `]` (an IPv6 host without a port is split inside its brackets) | `an_ipv6_origin_must_be_an_address` |
//! | an empty or non-hex IPv6 host passes when either check fails alone (`\|\|` → `&&`) | `an_ipv6_origin_must_be_an_address` |

use okra_events_core::bridge::check_origin;

#[test]
fn an_ipv6_origin_must_be_an_address() {
    for ok in [
        "https://[2001:db8::1]",
        "https://[2001:db8::1]:8443",
        "https://[::ab]",
    ] {
        assert_eq!(check_origin(ok), Ok(()), "{ok}");
    }
    // The URL rules take anything in brackets; the origin rule does not.
    for bad in [
        "https://[]",
        "https://[zz]",
        "https://[zz::1]",
        "https://[2001:db8::g1]",
        "https://[2001:db8::1]:0443",
        "https://[2001:db8::1]:443",
    ] {
        assert!(check_origin(bad).is_err(), "{bad} was accepted");
    }
}
