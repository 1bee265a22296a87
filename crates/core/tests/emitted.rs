//! The emission rules the published event schema states per event name
//! (`okra_events_core::emitted`: which screens an event carries, and its
//! `withError`) hold for every event of random sessions: random screens,
//! tracked events, outcomes, network changes and waits.

use okra_events_core::emitted::{error_flag, screen_rule};
use okra_events_core::{Config, Ctx, Screen, Session, Source, Value, CATALOG};
use proptest::prelude::*;

const T0: u64 = 1_795_742_454_123;

#[derive(Debug, Clone)]
enum Step {
    Screen(usize),
    Track(usize),
    Success,
    Fail,
    Close,
    Offline,
    Online,
    Wait(u64),
}

fn step() -> impl Strategy<Value = Step> {
    let trackable = CATALOG
        .iter()
        .filter(|e| e.source == Source::Tracked)
        .count();
    prop_oneof![
        4 => (0..Screen::ALL.len()).prop_map(Step::Screen),
        4 => (0..trackable).prop_map(Step::Track),
        1 => Just(Step::Success),
        1 => Just(Step::Fail),
        1 => Just(Step::Close),
        2 => Just(Step::Offline),
        2 => Just(Step::Online),
        3 => prop_oneof![0u64..2_000, 4_000u64..6_000, 10_000u64..200_000].prop_map(Step::Wait),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1_000, ..ProptestConfig::default() })]

    #[test]
    fn every_event_keeps_its_names_screen_and_error_rules(
        online in any::<bool>(),
        steps in proptest::collection::vec(step(), 0..40),
    ) {
        let tracked: Vec<&str> = CATALOG
            .iter()
            .filter(|e| e.source == Source::Tracked)
            .map(|e| e.name)
            .collect();
        let ctx = |now: u64| Ctx { now, mono: now - T0, location: None };
        let mut now = T0;
        let mut s = Session::new(Config::default(), [3, 4], ctx(now), online);
        for st in steps {
            // Refusals (after close, a second success) are fine: only the
            // events that were emitted are checked.
            let c = ctx(now);
            let _ = match st {
                Step::Screen(i) => s.screen(c, Screen::ALL[i], Value::Null),
                Step::Track(i) => s.track(c, tracked[i], Value::Null),
                Step::Success => s.success(c, Value::Null),
                Step::Fail => s.fail(c, Value::Null),
                Step::Close => s.close(c),
                Step::Offline => { s.offline(c); Ok(()) }
                Step::Online => { s.online(c); Ok(()) }
                Step::Wait(ms) => {
                    let end = now + ms;
                    while let Some(at) = s.next_deadline().filter(|&at| at + T0 <= end) {
                        now = now.max(at + T0);
                        s.tick(ctx(now));
                    }
                    now = end;
                    Ok(())
                }
            };
        }
        for e in s.events() {
            prop_assert!(
                screen_rule(&e.event_name).allows(e.event_screen),
                "{} on screen {:?}", e.event_name, e.event_screen
            );
            prop_assert!(
                error_flag(&e.event_name).allows(e.with_error),
                "{} with withError {}", e.event_name, e.with_error
            );
            prop_assert!(e.validate().is_ok());
        }
    }
}
