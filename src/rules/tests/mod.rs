//! Cross-module tests of the rule language: validation messages, round trips, corpus,
//! and the differential test against the real ipvsadm binary.

mod corpus;
mod real_ipvsadm;
mod roundtrip;
mod validation;
