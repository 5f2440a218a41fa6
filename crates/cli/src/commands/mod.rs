//! One module per subcommand.

pub mod backends;
pub mod batch;
pub mod bench;
pub mod demo;
pub mod imessage;
pub mod kms;
pub mod kms_3gpp;
pub mod load;
pub mod serve;
pub mod worker;
pub mod workers;
