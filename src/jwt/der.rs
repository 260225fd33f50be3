//! The little DER the crate reads from keys: tag-length-value and
//! the elements of a `SEQUENCE`.

/// The elements (tag, value) of the DER `SEQUENCE` that `der` starts with.
pub(crate) fn sequence(der: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let (0x30, mut body, _) = tlv(der)? else {
        return None;
    };
    let mut elements = Vec::new();
    while !body.is_empty() {
        let (tag, value, rest) = tlv(body)?;
        elements.push((tag, value));
        body = rest;
    }
    Some(elements)
}

pub(crate) fn without_leading_zeros(int: &[u8]) -> &[u8] {
    let zeros = int.iter().take_while(|b| **b == 0).count();
    &int[zeros..]
}

/// One DER tag-length-value (lengths up to 65535): tag, value, rest.
pub(crate) fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = match first {
        0..=0x7f => (usize::from(first), rest),
        0x81 => {
            let (&len, rest) = rest.split_first()?;
            (usize::from(len), rest)
        }
        0x82 => {
            let (len, rest) = rest.split_at_checked(2)?;
            (usize::from(u16::from_be_bytes([len[0], len[1]])), rest)
        }
        _ => return None,
    };
    let (value, rest) = rest.split_at_checked(len)?;
    Some((tag, value, rest))
}
