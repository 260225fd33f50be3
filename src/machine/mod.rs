//! The driving contract: [`Step`], the [`Machine`] trait, the one-request
//! [`Call`] every flow is built on, and the drivers.

pub mod call;
pub mod drive;
pub mod step;
pub mod then;
