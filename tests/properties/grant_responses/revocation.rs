//! Revocation (RFC 7009): revoked exactly on HTTP 200 within the body
//! bound.

use super::*;

fn client() -> Client {
    Client::builder("client")
        .client_secret(ClientSecret::new(CLIENT_SECRET))
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint("https://as.example/token")
        .revocation_endpoint("https://as.example/revoke")
        .response_limit(LIMIT)
        .build()
        .unwrap()
}

proptest! {
    #[test]
    fn revoked_exactly_on_200_within_the_bound(
        status in prop_oneof![Just(200u16), 100u16..=599],
        length in prop_oneof![0..64usize, LIMIT - 2..LIMIT + 3],
        byte in any::<u8>(),
    ) {
        let body = vec![byte; length];
        let revoke = client().revoke(&RefreshToken::new(REFRESH)).unwrap();
        match run(revoke, vec![Answer::Http(status, body)]).result {
            Ok(()) => prop_assert!(status == 200 && length <= LIMIT),
            Err(e) => {
                prop_assert!(status != 200 || length > LIMIT, "{}", e);
                if (300..400).contains(&status) {
                    prop_assert_eq!(&e, &Error::Redirect { status });
                }
                check_error(&e, &[REFRESH, CLIENT_SECRET])?;
            }
        }
    }
}
