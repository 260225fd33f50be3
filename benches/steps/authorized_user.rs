//! The authorized_user file `gcloud auth application-default login`
//! writes, read, checked and written back. `oauth2` has no such file.

use oauth2_sansio::UserCredentials;

use super::Side;
use crate::common::code_flow::authorized_user_json;
use crate::floor::authorized_user_round_trip;
use crate::{repeat, Allocations};

fn ours(json: &[u8]) -> String {
    UserCredentials::from_authorized_user_json(json)
        .expect("valid file")
        .to_authorized_user_json()
}

fn floor(json: &[u8]) -> String {
    authorized_user_round_trip(json).expect("valid file")
}

pub fn run(side: Side, count: usize) -> Allocations {
    let json = authorized_user_json();
    let json = std::hint::black_box(&json[..]);
    let written = ours(json);
    match side {
        Side::Ours => repeat(count, || ours(json)),
        Side::OAuth2 => unreachable!("oauth2 has no authorized_user file"),
        Side::Floor => {
            assert_eq!(written, floor(json));
            repeat(count, || floor(json))
        }
    }
}
