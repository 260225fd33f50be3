//! Every public secret type overwrites its memory when dropped: each must be
//! `ZeroizeOnDrop`, or this file does not compile.

use oauth2_sansio::{
    AccessToken, Assertion, AuthorizationCode, ClientSecret, CsrfState, DeviceCode, IdToken,
    PkceVerifier, PrivateKeyPem, RefreshToken, SecurityToken,
};
use zeroize::ZeroizeOnDrop;

fn assert_zeroize_on_drop<T: ZeroizeOnDrop>() {}

#[test]
fn every_secret_type_is_zeroize_on_drop() {
    assert_zeroize_on_drop::<AccessToken>();
    assert_zeroize_on_drop::<Assertion>();
    assert_zeroize_on_drop::<AuthorizationCode>();
    assert_zeroize_on_drop::<ClientSecret>();
    assert_zeroize_on_drop::<CsrfState>();
    assert_zeroize_on_drop::<DeviceCode>();
    assert_zeroize_on_drop::<IdToken>();
    assert_zeroize_on_drop::<PkceVerifier>();
    assert_zeroize_on_drop::<PrivateKeyPem>();
    assert_zeroize_on_drop::<RefreshToken>();
    assert_zeroize_on_drop::<SecurityToken>();
}
