//! Errors of the IPVS client, worded for an operator.
