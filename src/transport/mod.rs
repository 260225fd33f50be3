//! Real transports, behind optional features. The only part of the crate
//! that performs IO.
