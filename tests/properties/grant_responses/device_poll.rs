//! Device polling (RFC 8628 §3.5): a poll answer means what the token
//! response says, plus `authorization_pending` and `slow_down`.

use super::*;

fn start() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

/// A poll machine whose codes last 1800 s, polling every 5 s, and the
/// time of its first poll.
fn device_poll() -> (DevicePoll, SystemTime) {
    let client = Client::builder("client")
        .client_secret(ClientSecret::new(CLIENT_SECRET))
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint("https://as.example/token")
        .device_authorization_endpoint("https://as.example/device")
        .response_limit(LIMIT)
        .build()
        .unwrap();
    let mut call = client.device_authorization().build().unwrap();
    assert!(matches!(call.poll(start()), Ok(Step::Send(_))));
    let body = json!({
        "device_code": DEVICE_CODE, "user_code": "ABCD-EFGH",
        "verification_uri": "https://as.example/activate", "expires_in": 1800, "interval": 5,
    });
    let response = http::Response::new(body.to_string().into_bytes());
    call.handle_response(response, start()).unwrap();
    let mut poll = match call.poll(start()) {
        Ok(Step::Done(authorization)) => authorization.into_poll(),
        other => panic!("{:?}", other.map(|_| ())),
    };
    let first = match poll.poll(start()) {
        Ok(Step::Wait { until, .. }) => until,
        other => panic!("{:?}", other.map(|_| ())),
    };
    (poll, first)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// One answer to a poll: tokens when the token endpoint's reading
    /// has them; another poll one interval later for
    /// `authorization_pending`, five seconds more for `slow_down`; any
    /// other reading ends the flow with that error.
    #[test]
    fn a_poll_answer_means_what_the_token_response_says(
        status in prop_oneof![Just(200u16), Just(400), Just(428), Just(403), 100u16..=599],
        body in prop_oneof![
            token_like().prop_map(|m| render(&m).into_bytes()),
            prop::collection::vec(any::<u8>(), 0..100),
        ],
    ) {
        let (mut poll, first) = device_poll();
        prop_assert!(matches!(poll.poll(first), Ok(Step::Send(_))));
        let response = http::Response::builder().status(status).body(body.clone()).unwrap();
        let handled = poll.handle_response(response, first);
        let next = handled.and_then(|()| poll.poll(first));
        let interval = Duration::from_secs(5);
        match TokenResponse::parse(status, &body, LIMIT) {
            Ok(_) => prop_assert!(matches!(next, Ok(Step::Done(_)))),
            Err(Error::OAuth(e)) if e.code().as_str() == "authorization_pending" => {
                let waits = matches!(next, Ok(Step::Wait { until, .. }) if until == first + interval);
                prop_assert!(waits, "{:?}", next.map(|_| ()));
            }
            Err(Error::OAuth(e)) if e.code().as_str() == "slow_down" => {
                let slower = interval + SLOW_DOWN_STEP;
                let waits = matches!(next, Ok(Step::Wait { until, .. }) if until == first + slower);
                prop_assert!(waits, "{:?}", next.map(|_| ()));
                prop_assert_eq!(poll.interval(), slower);
            }
            Err(expected) => match next {
                Err(e) => {
                    prop_assert_eq!(&e, &expected);
                    check_error(&e, &[DEVICE_CODE, CLIENT_SECRET])?;
                }
                other => prop_assert!(false, "{:?}", other.map(|_| ())),
            },
        }
    }
}
