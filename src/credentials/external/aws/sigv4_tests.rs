use std::time::{Duration, SystemTime};

use super::*;

fn at(unix: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(unix)
}

/// 2020-08-11T06:55:22Z, the time of google-auth's vectors.
const AUG_2020: u64 = 1_597_128_922;
/// 2011-09-09T23:36:00Z, botocore's test suite.
const SEP_2011: u64 = 1_315_611_360;

fn credentials(id: &str, secret: &str, token: Option<&str>) -> AwsCredentials {
    AwsCredentials {
        access_key_id: id.to_owned(),
        secret_access_key: SecurityToken::new(secret),
        session_token: token.map(SecurityToken::new),
    }
}

fn signed(
    credentials: &AwsCredentials,
    region: &str,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    now: u64,
) -> Vec<(String, String)> {
    let url = Url::parse(url).unwrap();
    let request = SignRequest {
        method,
        url: &url,
        headers,
        payload: b"",
    };
    sign(credentials, region, &request, at(now)).unwrap()
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    &headers.iter().find(|(n, _)| n == name).unwrap().1
}

#[test]
fn google_auth_subject_token_request_is_signed_byte_for_byte() {
    let credentials = credentials(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        Some("sessiontoken"),
    );
    let headers = signed(
        &credentials,
        "us-east-2",
        "POST",
        "https://sts.us-east-2.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
        &[],
        AUG_2020,
    );
    assert_eq!(
        headers,
        [
            ("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20200811/us-east-2/sts/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=34dd3ad09061e74f2549895e17e42b49f1a6607a4cb95aaaf8a928cb5c154fd8"),
            ("host", "sts.us-east-2.amazonaws.com"),
            ("x-amz-date", "20200811T065522Z"),
            ("x-amz-security-token", "sessiontoken"),
        ]
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
    );
}

#[test]
fn botocore_get_vanilla_is_signed_byte_for_byte() {
    let credentials = credentials(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        None,
    );
    let headers = signed(
        &credentials,
        "us-east-1",
        "GET",
        "https://host.foo.com",
        &[("date", "Mon, 09 Sep 2011 23:36:00 GMT")],
        SEP_2011,
    );
    assert_eq!(
        headers,
        [
            ("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20110909/us-east-1/host/aws4_request, SignedHeaders=date;host, Signature=b27ccfbfa7df52a200ff74193ca6e32d4b48b8856fab7ebf1c595d0670a7e470"),
            ("host", "host.foo.com"),
            ("date", "Mon, 09 Sep 2011 23:36:00 GMT"),
        ]
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
    );
}

/// AWS's documented example session token, as google-auth's tests use it.
const EXAMPLE_SESSION_TOKEN: &str = "AQoEXAMPLEH4aoAH0gNCAPyJxz4BlCFFxWNE1OPTgk5TthT+FvwqnKwRcOIfrRh3c/LTo6UDdyJwOOvEVPvLXCrrrUtdnniCEXAMPLE/IvU1dYUg2RVAJBanLiHb4IgRmpRV3zrkuWJOgQs8IZZaIv2BXIa2R4OlgkBN9bkUDNCJiBeb/AXlzBBko7b15fjrBs2+cTQtpZ3CYWFXG8C5zqx37wnOE49mRl/+OtkIKGO7fAE";

#[test]
fn a_session_token_get_is_signed_byte_for_byte() {
    let credentials = credentials(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        Some(EXAMPLE_SESSION_TOKEN),
    );
    let headers = signed(
        &credentials,
        "us-east-2",
        "GET",
        "https://ec2.us-east-2.amazonaws.com?Action=DescribeRegions&Version=2013-10-15",
        &[],
        AUG_2020,
    );
    assert_eq!(
        header(&headers, "Authorization"),
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20200811/us-east-2/ec2/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=41e226f997bf917ec6c9b2b14218df0874225f13bb153236c247881e614fafc9"
    );
    assert_eq!(
        header(&headers, "x-amz-security-token"),
        EXAMPLE_SESSION_TOKEN
    );
    assert_eq!(header(&headers, "x-amz-date"), "20200811T065522Z");
}

#[test]
fn botocore_paths_and_queries_are_canonical_as_google_auth_makes_them() {
    // More of botocore's suite, as google-auth's tests quote it.
    let credentials = credentials(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        None,
    );
    for (url, signature) in [
        (
            "https://host.foo.com/foo/bar/../..",
            "b27ccfbfa7df52a200ff74193ca6e32d4b48b8856fab7ebf1c595d0670a7e470",
        ),
        (
            "https://host.foo.com/./foo",
            "910e4d6c9abafaf87898e1eb4c929135782ea25bb0279703146455745391e63a",
        ),
        (
            "https://host.foo.com/%E1%88%B4",
            "8d6634c189aa8c75c2e51e106b6b5121bed103fdb351f7d7d4381c738823af74",
        ),
        (
            "https://host.foo.com/?foo=Zoo&foo=aha",
            "be7148d34ebccdc6423b19085378aa0bee970bdc61d144bd1a8c48c33079ab09",
        ),
        (
            "https://host.foo.com/?foo=b&foo=a",
            "feb926e49e382bec75c9d7dcb2a1b6dc8aa50ca43c25d2bc51143768c0875acc",
        ),
        (
            "https://host.foo.com/?\u{1234}=bar",
            "6fb359e9a05394cc7074e0feb42573a2601abc0c869a953e8c5c12e4e01f1a8c",
        ),
    ] {
        let headers = signed(
            &credentials,
            "us-east-1",
            "GET",
            url,
            &[("date", "Mon, 09 Sep 2011 23:36:00 GMT")],
            SEP_2011,
        );
        assert!(
            header(&headers, "Authorization").ends_with(signature),
            "{url}"
        );
    }
}

#[test]
fn hmac_matches_rfc_4231() {
    // Test case 2: a short key; test case 6: a key longer than the block.
    assert_eq!(
        hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    assert_eq!(
        hex(&hmac_sha256(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First"
        )),
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    );
}

#[test]
fn a_clock_outside_the_calendar_signs_nothing() {
    let credentials = credentials("AKID", "secret", None);
    let url = Url::parse("https://sts.us-east-1.amazonaws.com").unwrap();
    let request = SignRequest {
        method: "POST",
        url: &url,
        headers: &[],
        payload: b"",
    };
    assert!(sign(
        &credentials,
        "us-east-1",
        &request,
        SystemTime::UNIX_EPOCH - Duration::from_secs(1)
    )
    .is_none());
    assert!(sign(&credentials, "us-east-1", &request, at(300_000_000_000)).is_none());
}
