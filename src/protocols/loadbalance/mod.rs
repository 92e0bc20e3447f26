//! Load balancing and consistent hashing (issue 10): clients, a balancer and servers.
//!
//! Work in progress: the balancer's policies and the hashing schemes, as pure logic with their
//! tests; the protocol (nodes, checker, registration) follows.

pub mod hashing;
pub mod policy;
