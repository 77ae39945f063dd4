//! Cross-module tests of the rule language: validation messages, round trips, corpus.
