//! The IPVS generic-netlink client: one persistent socket, pipelined mutations.
