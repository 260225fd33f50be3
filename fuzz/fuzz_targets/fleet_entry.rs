//! A fleet's shared entry as read back from the store: `decode_entry` on
//! any bytes, sealed with a fixed key or stored in clear.
//!
//! Input: one byte choosing the sealing (even: a key, odd: in clear), then
//! the value. Invariants: no panic; a value is read only if it is within
//! `FLEET_ENTRY_LIMIT` and starts with its version; what is read, written
//! back through the fleet's commit, reads as the same state; error messages
//! carry no control characters.
#![no_main]

use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::cache::fleet::*;

fn sealing(choice: u8) -> Sealing {
    if choice % 2 == 0 {
        Sealing::Key(SealingKey::new(&[0x42; 32]))
    } else {
        Sealing::plain_by_choice()
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, value)) = data.split_first() else {
        return;
    };
    let key = FleetKey::new("https://idp.test/token", "client", "svc");
    let config = FleetConfig::new(&key, "f:", sealing(choice));
    let state = match decode_entry(&sealing(choice), config.entry_key(), value) {
        Ok(state) => state,
        Err(e) => {
            assert!(!e.to_string().chars().any(char::is_control), "{e}");
            return;
        }
    };
    assert!(value.len() <= FLEET_ENTRY_LIMIT);
    assert!(!version_of(value).is_empty());

    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let mut store = MemoryStore::new();
    let commit = FleetCommit::unlocked(&config, state.clone(), [7; SEAL_NONCE_LEN]);
    assert_eq!(run_fleet(commit, || now, |op| Ok(store.apply(&op, now))), Committed::Kept);
    let written = store.get(config.entry_key(), now).expect("kept");
    assert_eq!(decode_entry(&sealing(choice), config.entry_key(), written), Ok(state));
});
